package sandbox

import (
	"encoding/json"
	"fmt"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// request is one render: a chart tree and the values the engine is given.
// Values travel as typed trees, not JSON, so the child renders exactly what
// the parent would: --set numbers stay int64, an empty list stays a list.
type request struct {
	Chart   *wireChart
	Release *value
	Values  *value
	Caps    *chartutil.Capabilities
}

// response is the rendered templates, or the engine's error.
type response struct {
	Out map[string]string
	Err string
}

// wireChart is what the engine reads of a chart: its metadata (as Helm
// itself reads Chart.yaml, through JSON), templates, files and subcharts.
type wireChart struct {
	Metadata  []byte
	Templates []*chart.File
	Files     []*chart.File
	Deps      []*wireChart
}

func toWireChart(ch *chart.Chart) (*wireChart, error) {
	md, err := json.Marshal(ch.Metadata)
	if err != nil {
		return nil, fmt.Errorf("chart %s metadata: %w", ch.Name(), err)
	}
	w := &wireChart{Metadata: md, Templates: nonNil(ch.Templates), Files: nonNil(ch.Files)}
	for _, d := range ch.Dependencies() {
		wd, err := toWireChart(d)
		if err != nil {
			return nil, err
		}
		w.Deps = append(w.Deps, wd)
	}
	return w, nil
}

func nonNil(files []*chart.File) []*chart.File {
	out := make([]*chart.File, 0, len(files))
	for _, f := range files {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

func (w *wireChart) chart() (*chart.Chart, error) {
	ch := &chart.Chart{Metadata: &chart.Metadata{}, Templates: w.Templates, Files: w.Files}
	if err := json.Unmarshal(w.Metadata, ch.Metadata); err != nil {
		return nil, fmt.Errorf("chart metadata: %w", err)
	}
	for _, wd := range w.Deps {
		d, err := wd.chart()
		if err != nil {
			return nil, err
		}
		ch.AddDependency(d)
	}
	return ch, nil
}

// newRequest takes apart the render values chartutil.ToRenderValues makes.
func newRequest(ch *chart.Chart, top chartutil.Values) (*request, error) {
	req := &request{}
	var err error
	if req.Chart, err = toWireChart(ch); err != nil {
		return nil, err
	}
	for k, v := range top {
		switch k {
		case "Chart":
		case "Capabilities":
			caps, ok := v.(*chartutil.Capabilities)
			if !ok {
				return nil, fmt.Errorf("render value Capabilities is a %T", v)
			}
			req.Caps = caps
		case "Release":
			if req.Release, err = toValue(v); err != nil {
				return nil, fmt.Errorf("release: %w", err)
			}
		case "Values":
			if req.Values, err = toValue(v); err != nil {
				return nil, fmt.Errorf("values: %w", err)
			}
		default:
			return nil, fmt.Errorf("render value %s cannot be passed to the render process", k)
		}
	}
	return req, nil
}

// top rebuilds the chart and render values in the child.
func (r *request) top() (*chart.Chart, chartutil.Values, error) {
	ch, err := r.Chart.chart()
	if err != nil {
		return nil, nil, err
	}
	top := chartutil.Values{"Chart": ch.Metadata}
	if r.Caps != nil {
		top["Capabilities"] = r.Caps
	}
	if r.Release != nil {
		top["Release"] = r.Release.any()
	}
	if r.Values != nil {
		top["Values"] = r.Values.any()
	}
	return ch, top, nil
}

// kind is the Go type of a value.
type kind uint8

const (
	kNil kind = iota
	kString
	kBool
	kInt
	kInt64
	kUint64
	kFloat64
	kList
	kMap
	kValues // chartutil.Values, a map Helm makes for subchart scopes
)

// value is one node of a values tree with its Go type kept.
type value struct {
	K kind
	S string
	I int64
	U uint64
	F float64
	B bool
	L []*value
	M map[string]*value
}

func toValue(v any) (*value, error) {
	switch t := v.(type) {
	case nil:
		return &value{K: kNil}, nil
	case string:
		return &value{K: kString, S: t}, nil
	case bool:
		return &value{K: kBool, B: t}, nil
	case int:
		return &value{K: kInt, I: int64(t)}, nil
	case int64:
		return &value{K: kInt64, I: t}, nil
	case uint64:
		return &value{K: kUint64, U: t}, nil
	case float64:
		return &value{K: kFloat64, F: t}, nil
	case []any:
		l := make([]*value, len(t))
		for i, e := range t {
			ev, err := toValue(e)
			if err != nil {
				return nil, err
			}
			l[i] = ev
		}
		return &value{K: kList, L: l}, nil
	case map[string]any:
		return toMap(kMap, t)
	case chartutil.Values:
		return toMap(kValues, t)
	}
	return nil, fmt.Errorf("a value of type %T cannot be passed to the render process", v)
}

func toMap(k kind, m map[string]any) (*value, error) {
	out := &value{K: k, M: make(map[string]*value, len(m))}
	for key, e := range m {
		ev, err := toValue(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out.M[key] = ev
	}
	return out, nil
}

func (v *value) any() any {
	switch v.K {
	case kString:
		return v.S
	case kBool:
		return v.B
	case kInt:
		return int(v.I)
	case kInt64:
		return v.I
	case kUint64:
		return v.U
	case kFloat64:
		return v.F
	case kList:
		l := make([]any, len(v.L))
		for i, e := range v.L {
			l[i] = e.any()
		}
		return l
	case kMap, kValues:
		m := make(map[string]any, len(v.M))
		for k, e := range v.M {
			m[k] = e.any()
		}
		if v.K == kValues {
			return chartutil.Values(m)
		}
		return m
	}
	return nil
}
