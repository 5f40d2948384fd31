package client_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/room"
)

// An agent signs in, opens a room for a customer and follows it live until
// it closes.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()

	c, err := client.New("https://tandem.example.com")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Login(ctx, "ana@example.com", "correct horse"); err != nil {
		if client.ErrorCode(err) == "invalid_credentials" {
			log.Fatal("wrong email or password")
		}
		log.Fatal(err)
	}
	st, err := c.CreateRoom(ctx, client.CreateRoom{
		Mode:     room.ModeLive,
		Channel:  room.ChannelSMS,
		Customer: room.Customer{Name: "Sam Lee", Phone: "(415) 555-0134"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// Follow the room from its first event; reconnections are handled.
	sub, err := c.Subscribe(ctx, st.ID, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()
	for {
		e, err := sub.Next(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Seq, e.Type)
		if e.Type == room.TypeRoomClosed {
			return
		}
	}
}

// A customer opens the link of their invitation and reads the room's state
// and events as they come.
func ExampleClient_OpenLink() {
	ctx := context.Background()
	c, err := client.New("https://tandem.example.com")
	if err != nil {
		log.Fatal(err)
	}
	roomID, err := c.OpenLink(ctx, "https://tandem.example.com/r/Zm9vYmFy")
	if err != nil {
		log.Fatal(err) // an expired link: client.ErrorCode(err) == "link_expired"
	}
	sub, st, err := c.SubscribeSnapshot(ctx, roomID)
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()
	fmt.Println("room", st.ID, "is", st.Status)
	e, err := sub.Next(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Seq, e.Type)
}
