// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3 for kubemap's test
// control plane (the Go module proxy serves etcd's source, not its release binaries).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
