// Photos made ready to send from a phone: a photo larger than it needs to
// be is made smaller in the browser before it is uploaded (a phone's
// camera takes 4000 px and more; 2400 px reads any document), which also
// turns a HEIC photo into a JPEG where the browser can read HEIC. Where
// it cannot, the photo goes as it is: the hub takes HEIC.

// maxSide is the longest side, in pixels, a photo is sent at.
const maxSide = 2400;

// isHEIC says whether a file is a HEIC or HEIF photo, by its type or name
// (some phones give no type).
export const isHEIC = (f: { name: string; type?: string; content_type?: string }) =>
  /^image\/hei[cf]/.test(f.type ?? f.content_type ?? "") || /\.hei[cf]$/i.test(f.name);

// isPDF says whether a file is a PDF, by its type or name.
export const isPDF = (f: { name: string; type?: string; content_type?: string }) =>
  (f.type ?? f.content_type) === "application/pdf" || /\.pdf$/i.test(f.name);

// prepare returns the file to upload: file itself, or a JPEG of it at
// most maxSide pixels on its longest side (of any HEIC photo the browser
// decodes, whatever its size).
export async function prepare(file: File): Promise<File> {
  if (isPDF(file)) return file;
  const heic = isHEIC(file);
  if (!heic && !file.type.startsWith("image/")) return file;
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file; // a HEIC photo this browser cannot read, or not an image
  }
  try {
    const long = Math.max(bmp.width, bmp.height);
    if (long <= maxSide && !heic) return file;
    const scale = Math.min(1, maxSide / long);
    const w = Math.round(bmp.width * scale);
    const h = Math.round(bmp.height * scale);
    const canvas = document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext("2d");
    if (!ctx) return file;
    ctx.fillStyle = "#fff"; // a transparent PNG's background, as JPEG has none
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(bmp, 0, 0, w, h);
    const blob = await new Promise<Blob | null>((ok) => canvas.toBlob(ok, "image/jpeg", 0.85));
    if (!blob) return file;
    const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
    return new File([blob], name || "photo.jpg", { type: "image/jpeg" });
  } finally {
    bmp.close();
  }
}

// sendFile posts file as the multipart part "file" to url, telling
// onProgress the share sent (0 to 1). It resolves with the hub's JSON
// answer, or rejects with the hub's error ({code, message}) or one for
// the network.
export function sendFile<T>(url: string, file: File, onProgress: (share: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject({ code: "network", message: "The upload did not get through. Check your connection and try again." });
    xhr.onload = () => {
      let data: any = {};
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        // no JSON: a proxy's page, say
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else if (data.error) reject(data.error);
      // A proxy in front of the hub may refuse a large body with a page.
      else if (xhr.status === 413) reject({ code: "too_large", message: "This file is too large. Take a new photo, or choose a smaller file." });
      else reject({ code: "http_" + xhr.status, message: "Something went wrong (" + xhr.status + "). Try again in a moment." });
    };
    const form = new FormData();
    form.set("file", file, file.name);
    xhr.send(form);
  });
}
