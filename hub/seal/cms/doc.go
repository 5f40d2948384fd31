// Package cms seals PDFs with a PKCS#7 (CMS) detached signature over the
// whole file, adbe.pkcs7.detached, in pure Go (github.com/smallstep/pkcs7),
// with an optional RFC 3161 timestamp embedded as the signer's
// timestamp token, and verifies such seals offline.
//
// The signature is written in one pass: the hub's PDF gets a signature
// field whose /Contents is a run of zeros and whose /ByteRange is a
// placeholder; once the file is written, the placeholder takes the byte
// ranges around /Contents, those bytes are signed, and the signature
// fills /Contents. Readers (poppler's pdfsig, Adobe Reader) check it like
// any other PDF signature.
package cms
