// CoreDNS with only the plugins kubeadm's default Corefile uses, so the kind node's
// registry.k8s.io/coredns/coredns image can be built from the Go module proxy quickly.
package main

import (
	"github.com/coredns/coredns/coremain"

	// The plugins named in kubeadm's Corefile (errors, health, ready, kubernetes, prometheus,
	// forward, cache, loop, reload, loadbalance) plus log for debugging.
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func main() { coremain.Run() }
