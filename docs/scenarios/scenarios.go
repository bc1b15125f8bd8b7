// Package scenarios embeds soak's example scenario files, so that a
// program (the CLI's soak demo) can run them without a checkout:
//
//	s, err := scenario.LoadFS(scenarios.FS, scenarios.Seed)
//
// The files are documentation first: seed.yaml is the seed report's user
// mix against the demo service, quick.yaml a few quick GETs, and
// open-stages.yaml an open-model load in stages, and locust-port.yaml the
// five-class locustfile.py beside it, ported. docs/scenarios.md is
// the reference of the format.
package scenarios

import "embed"

// FS holds the example scenarios and their data files.
//
//go:embed *.yaml *.csv
var FS embed.FS

// The example scenarios' names in FS.
const (
	Seed       = "seed.yaml"        // the seed report's 70/25/4/1 mix over its ten endpoints
	Quick      = "quick.yaml"       // quick GETs of public endpoints
	OpenStages = "open-stages.yaml" // an open-model rate in stages
	LocustPort = "locust-port.yaml" // locustfile.py's five classes, ported (docs/locust.md)
)
