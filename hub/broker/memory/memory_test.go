package memory_test

import (
	"testing"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/broker/brokertest"
	"github.com/tandemhq/tandem/hub/broker/memory"
)

func TestBroker(t *testing.T) {
	brokertest.Run(t, func(testing.TB) (hub.Broker, hub.Broker) {
		b := memory.New()
		return b, b
	})
}
