package gitops

import (
	"bytes"
	"fmt"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// ConfigFile is the render configuration's name, looked up like the policy
// file: in the scanned directory or a parent, up to the repository root.
const ConfigFile = ".bulwark-render.yaml"

// Config is the render configuration: how charts are rendered when no app
// definition says so, and other names of this repository.
//
//	apiVersion: bulwark.dev/v1
//	kind: RenderConfig
//	repositories:                    # URLs that name this repository in Argo CD and Flux sources
//	  - https://github.com/example/platform
//	kubeVersion: "1.31"              # .Capabilities.KubeVersion for every chart (default: Bulwark's)
//	apiVersions: [monitoring.coreos.com/v1]
//	charts:
//	  - path: charts/web             # relative to this file
//	    releaseName: web
//	    namespace: shop
//	    valueSets:                   # each set is rendered and scanned
//	      - name: dev
//	        valuesFiles: [values-dev.yaml]   # relative to the chart
//	      - name: prod
//	        valuesFiles: [values-prod.yaml]
//	        set: [replicaCount=3]
type Config struct {
	APIVersion   string        `yaml:"apiVersion"`
	Kind         string        `yaml:"kind"`
	Repositories []string      `yaml:"repositories"`
	KubeVersion  string        `yaml:"kubeVersion"`
	APIVersions  []string      `yaml:"apiVersions"`
	Charts       []ChartConfig `yaml:"charts"`

	dir string // the directory holding the file
}

// ChartConfig says how one chart is rendered.
type ChartConfig struct {
	Path        string     `yaml:"path"`
	ReleaseName string     `yaml:"releaseName"`
	Namespace   string     `yaml:"namespace"`
	ValueSets   []ValueSet `yaml:"valueSets"`
}

// ValueSet is one way of rendering a chart.
type ValueSet struct {
	Name        string   `yaml:"name"`
	ValuesFiles []string `yaml:"valuesFiles"`
	Set         []string `yaml:"set"`
	SetString   []string `yaml:"setString"`
}

// ParseConfig reads a render configuration; path is where it was found.
func ParseConfig(path string, data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if c.Kind != "" && c.Kind != "RenderConfig" {
		return nil, fmt.Errorf("%s: kind %q, want RenderConfig", path, c.Kind)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	c.dir = abs
	for i, ch := range c.Charts {
		if ch.Path == "" {
			return nil, fmt.Errorf("%s: charts[%d]: no path", path, i)
		}
		for j, vs := range ch.ValueSets {
			if vs.Name == "" {
				return nil, fmt.Errorf("%s: charts[%d].valueSets[%d]: no name", path, i, j)
			}
		}
	}
	return &c, nil
}

// chart returns the configuration of the chart in dir (absolute), if any.
func (c *Config) chart(dir string) *ChartConfig {
	if c == nil {
		return nil
	}
	for i, ch := range c.Charts {
		if filepath.Join(c.dir, filepath.FromSlash(ch.Path)) == dir {
			return &c.Charts[i]
		}
	}
	return nil
}
