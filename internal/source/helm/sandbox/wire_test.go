package sandbox

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// Render values reach the child with their Go types: templates print an
// int64 from --set and a float64 from YAML differently, and toYaml tells
// an empty list from null.
func TestRequestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		vals chartutil.Values
	}{
		{"scalars", chartutil.Values{"s": "x", "b": true, "i": int64(12345678901), "n": 3, "f": 1.5, "u": uint64(7), "null": nil}},
		{"empty collections", chartutil.Values{"list": []any{}, "map": map[string]any{}}},
		{"nested", chartutil.Values{"sub": chartutil.Values{"l": []any{nil, map[string]any{"k": int64(1)}, []any{}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := &chart.Chart{Metadata: &chart.Metadata{Name: "web", Version: "1.0.0", APIVersion: "v2"},
				Templates: []*chart.File{{Name: "templates/a.yaml", Data: []byte("a: 1")}}}
			parent.AddDependency(&chart.Chart{Metadata: &chart.Metadata{Name: "db", Version: "0.1.0"}})
			top := chartutil.Values{"Chart": parent.Metadata, "Capabilities": chartutil.DefaultCapabilities,
				"Release": map[string]any{"Name": "r", "Revision": 1}, "Values": tc.vals}
			req, err := newRequest(parent, top)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := gob.NewEncoder(&buf).Encode(req); err != nil {
				t.Fatal(err)
			}
			var got request
			if err := gob.NewDecoder(&buf).Decode(&got); err != nil {
				t.Fatal(err)
			}
			ch, gotTop, err := got.top()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotTop["Values"], tc.vals) || !reflect.DeepEqual(gotTop["Release"], top["Release"]) {
				t.Errorf("values %#v, release %#v", gotTop["Values"], gotTop["Release"])
			}
			if deps := ch.Dependencies(); len(deps) != 1 || deps[0].ChartFullPath() != "web/charts/db" {
				t.Errorf("subcharts %v", deps)
			}
		})
	}
}

func TestUnsupportedValue(t *testing.T) {
	ch := &chart.Chart{Metadata: &chart.Metadata{Name: "web"}}
	if _, err := newRequest(ch, chartutil.Values{"Values": map[string]any{"c": make(chan int)}}); err == nil {
		t.Fatal("a channel was accepted")
	}
}
