// Command terraform-provider-cloudflare is a STAND-IN for terraform-provider-cloudflare 5.14.0
// (tag commit 262c3ddc486915fcb291224e5453dc32d3e25602), which cannot be built here: the Go module
// proxy answers 403 "not available" for every version of it. It serves only what an offline
// `tofu validate` / `tofu plan -refresh=false` of this project needs: the 5.14.0 provider
// configuration schema and the cloudflare_dns_record resource schema with its validators, plan
// modifiers and plan adjustments, re-stated from the 5.14.0 source (paths cited in each file).
// It never talks to a network; every call that would (apply, read, import) fails with a diagnostic.
// See README.md.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "serve in debug (reattach) mode")
	flag.Parse()

	// Same address and protocol (v6, terraform-plugin-framework) as 5.14.0's main.go; the address
	// only matters in debug mode: OpenTofu finds the binary by where it is mirrored (README.md).
	err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{
		Address:         "registry.terraform.io/cloudflare/cloudflare",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
