package pipeline

import (
	"sort"
	"strings"

	"github.com/rhysd/actionlint"
)

// parseGitHub reads a GitHub Actions workflow; nil when it is not YAML.
func parseGitHub(p string, data []byte) *ciFile {
	w, _ := actionlint.Parse(data)
	if w == nil {
		return nil
	}
	f := &ciFile{path: p, dialect: githubActions, lines: splitLines(data), gh: w}
	f.env = envVars(w.Env)
	defShell := ""
	if w.Defaults != nil && w.Defaults.Run != nil && w.Defaults.Run.Shell != nil {
		defShell = w.Defaults.Run.Shell.Value
	}
	for _, gj := range w.Jobs {
		if gj == nil || gj.ID == nil {
			continue
		}
		j := &ciJob{id: gj.ID.Value, gh: gj, line: gj.ID.Pos.Line, col: gj.ID.Pos.Col}
		j.env = envVars(gj.Env)
		if gj.Container != nil {
			j.env = append(j.env, envVars(gj.Container.Env)...)
		}
		shell := defShell
		if gj.Defaults != nil && gj.Defaults.Run != nil && gj.Defaults.Run.Shell != nil {
			shell = gj.Defaults.Run.Shell.Value
		}
		if shell == "" && windowsRunner(gj) {
			shell = "pwsh"
		}
		for i, st := range gj.Steps {
			if st == nil {
				continue
			}
			j.env = append(j.env, envVars(st.Env)...)
			switch ex := st.Exec.(type) {
			case *actionlint.ExecRun:
				if ex.Run == nil {
					continue
				}
				sh := shell
				if ex.Shell != nil {
					sh = ex.Shell.Value
				}
				loc := locator{lines: f.lines, line: ex.Run.Pos.Line, col: ex.Run.Pos.Col, quoted: ex.Run.Quoted}
				j.scripts = append(j.scripts, newScript(j, ex.Run.Value, loc, sh, i))
			case *actionlint.ExecAction:
				if ex.Uses == nil {
					continue
				}
				names := make([]string, 0, len(ex.Inputs))
				for k := range ex.Inputs {
					names = append(names, k)
				}
				sort.Strings(names)
				for _, k := range names {
					in := ex.Inputs[k]
					if in == nil || in.Name == nil || in.Value == nil {
						continue
					}
					j.inputs = append(j.inputs, input{
						envVar: envVar{name: in.Name.Value, value: in.Value.Value, line: in.Value.Pos.Line, col: in.Value.Pos.Col, quoted: in.Value.Quoted},
						step:   i,
						uses:   ex.Uses.Value,
					})
				}
			}
		}
		j.deploy = githubDeploy(j)
		f.jobs = append(f.jobs, j)
	}
	sort.Slice(f.jobs, func(a, b int) bool { return f.jobs[a].line < f.jobs[b].line })
	return f
}

func envVars(e *actionlint.Env) []envVar {
	if e == nil {
		return nil
	}
	out := make([]envVar, 0, len(e.Vars))
	for _, v := range e.Vars {
		if v == nil || v.Name == nil || v.Value == nil {
			continue
		}
		out = append(out, envVar{name: v.Name.Value, value: v.Value.Value, line: v.Value.Pos.Line, col: v.Value.Pos.Col, quoted: v.Value.Quoted})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].line < out[b].line })
	return out
}

func windowsRunner(j *actionlint.Job) bool {
	if j.RunsOn == nil {
		return false
	}
	for _, l := range j.RunsOn.Labels {
		if l != nil && strings.Contains(strings.ToLower(l.Value), "windows") {
			return true
		}
	}
	return false
}

// usesOf returns a step's action, or nil for run steps.
func usesOf(st *actionlint.Step) *actionlint.ExecAction {
	if st == nil {
		return nil
	}
	ex, _ := st.Exec.(*actionlint.ExecAction)
	if ex == nil || ex.Uses == nil {
		return nil
	}
	return ex
}

// actionName returns an action reference without its version, lower-cased:
// "azure/k8s-deploy" for "Azure/k8s-deploy@v5".
func actionName(uses string) string {
	name, _, _ := strings.Cut(uses, "@")
	return strings.ToLower(name)
}

// inputValue returns an action input's value ("" when unset).
func inputValue(ex *actionlint.ExecAction, name string) (string, *actionlint.String) {
	in := ex.Inputs[strings.ToLower(name)]
	if in == nil || in.Value == nil {
		return "", nil
	}
	return in.Value.Value, in.Value
}

// hasEvent reports whether the workflow runs on one of the events.
func (f *ciFile) hasEvent(names ...string) string {
	if f.gh == nil {
		return ""
	}
	for _, e := range f.gh.On {
		for _, n := range names {
			if e.EventName() == n {
				return n
			}
		}
	}
	return ""
}

// sortedServices returns service names in a stable order.
func sortedServices(m map[string]*actionlint.Service) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		if v != nil {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// actionLabel returns an action reference as written, without its version.
func actionLabel(uses string) string {
	name, _, _ := strings.Cut(uses, "@")
	return name
}
