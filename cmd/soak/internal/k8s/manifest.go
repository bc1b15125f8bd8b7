package k8s

// The few Kubernetes objects soak k8s writes, as the API spells them
// (batch/v1 Job, core/v1 ConfigMap): only the fields soak sets, so that
// the CLI needs no Kubernetes module. manifests_test.go decodes the
// output into k8s.io/api's own types, strictly, so a misspelt field
// cannot pass.

type k8sMeta struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace,omitempty"`
	Labels    map[string]string `yaml:"labels,omitempty"`
}

type k8sConfigMap struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   k8sMeta           `yaml:"metadata"`
	Data       map[string]string `yaml:"data,omitempty"`
	BinaryData map[string][]byte `yaml:"binaryData,omitempty"`
}

type k8sJob struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   k8sMeta    `yaml:"metadata"`
	Spec       k8sJobSpec `yaml:"spec"`
}

type k8sJobSpec struct {
	CompletionMode          string         `yaml:"completionMode,omitempty"`
	Completions             int            `yaml:"completions"`
	Parallelism             int            `yaml:"parallelism"`
	BackoffLimit            int            `yaml:"backoffLimit"`
	TTLSecondsAfterFinished int            `yaml:"ttlSecondsAfterFinished,omitempty"`
	Template                k8sPodTemplate `yaml:"template"`
}

type k8sPodTemplate struct {
	Metadata k8sMeta    `yaml:"metadata"`
	Spec     k8sPodSpec `yaml:"spec"`
}

type k8sPodSpec struct {
	RestartPolicy string         `yaml:"restartPolicy"`
	Containers    []k8sContainer `yaml:"containers"`
	Volumes       []k8sVolume    `yaml:"volumes,omitempty"`
}

type k8sContainer struct {
	Name         string         `yaml:"name"`
	Image        string         `yaml:"image"`
	Args         []string       `yaml:"args"`
	Env          []k8sEnv       `yaml:"env,omitempty"`
	Resources    k8sResources   `yaml:"resources"`
	VolumeMounts []k8sMount     `yaml:"volumeMounts,omitempty"`
	WorkingDir   string         `yaml:"workingDir,omitempty"`
	Security     *k8sSecContext `yaml:"securityContext,omitempty"`
}

type k8sSecContext struct {
	AllowPrivilegeEscalation bool `yaml:"allowPrivilegeEscalation"`
}

type k8sEnv struct {
	Name      string        `yaml:"name"`
	ValueFrom *k8sEnvSource `yaml:"valueFrom,omitempty"`
}

type k8sEnvSource struct {
	FieldRef        *k8sFieldRef  `yaml:"fieldRef,omitempty"`
	SecretKeyRef    *k8sSecretRef `yaml:"secretKeyRef,omitempty"`
	ConfigMapKeyRef *k8sSecretRef `yaml:"configMapKeyRef,omitempty"`
}

type k8sFieldRef struct {
	FieldPath string `yaml:"fieldPath"`
}

type k8sSecretRef struct {
	Name     string `yaml:"name"`
	Key      string `yaml:"key"`
	Optional bool   `yaml:"optional,omitempty"`
}

type k8sResources struct {
	Requests map[string]string `yaml:"requests,omitempty"`
	Limits   map[string]string `yaml:"limits,omitempty"`
}

type k8sMount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
	ReadOnly  bool   `yaml:"readOnly,omitempty"`
}

type k8sVolume struct {
	Name      string        `yaml:"name"`
	ConfigMap *k8sCMVolume  `yaml:"configMap,omitempty"`
	EmptyDir  *struct{}     `yaml:"emptyDir,omitempty"`
	PVC       *k8sPVCVolume `yaml:"persistentVolumeClaim,omitempty"`
}

type k8sCMVolume struct {
	Name  string      `yaml:"name"`
	Items []k8sKeyRef `yaml:"items"`
}

type k8sKeyRef struct {
	Key  string `yaml:"key"`
	Path string `yaml:"path"`
}

type k8sPVCVolume struct {
	ClaimName string `yaml:"claimName"`
}
