package capture

// Environment is the report's Test Environment, Hardware Specifications
// and Configuration: every field measured, or named in Missing with the
// reason it could not be. soak sends load only to loopback, so the machine
// soak runs on is the service's machine too.
type Environment struct {
	OS        string `json:"os,omitempty"`     // "Debian GNU/Linux 12 (bookworm), linux/amd64"
	Kernel    string `json:"kernel,omitempty"` // "6.1.0-18-amd64"
	GoVersion string `json:"go_version"`       // soak's Go
	Soak      string `json:"soak,omitempty"`   // soak's module version
	// ServiceGo, PostgreSQL and Redis come from the probe
	// (analysis.Analyze fills them from the timeline).
	ServiceGo  string `json:"service_go,omitempty"`
	PostgreSQL string `json:"postgresql,omitempty"`
	Redis      string `json:"redis,omitempty"`

	CPUModel string `json:"cpu_model,omitempty"`
	Cores    int    `json:"cores"`
	RAMBytes int64  `json:"ram_bytes,omitempty"`
	// Disk describes the file system holding the results: type, size and
	// free space.
	Disk    string `json:"disk,omitempty"`
	Network string `json:"network"`

	// Config holds the service's configuration as the probe reports it
	// (probe.Config* keys); analysis.Analyze fills it.
	Config map[string]string `json:"config,omitempty"`
	// Missing maps a field name ("OS", "PostgreSQL", ...) to why it could
	// not be measured.
	Missing map[string]string `json:"missing,omitempty"`
	// Absent maps a field name ("PostgreSQL", "Redis") to a thing the
	// service declared it does not have (probe.Probe.Without), with the
	// service's reason ("data in memory"; may be ""): not a gap in the
	// measurement, so the report says "none", not "not measured".
	Absent map[string]string `json:"absent,omitempty"`
}

// SetAbsent records that the service has no field (probe.Probe.Without),
// and why.
func (e *Environment) SetAbsent(field, why string) {
	if e.Absent == nil {
		e.Absent = map[string]string{}
	}
	e.Absent[field] = why
}

// SetMissing records why field (a field's name, "OS", "PostgreSQL", ...)
// could not be measured.
func (e *Environment) SetMissing(field, why string) {
	if e.Missing == nil {
		e.Missing = map[string]string{}
	}
	e.Missing[field] = why
}
