package rbacrules

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rbac"
)

// The subject → binding → role graph of the manifests, for Graphviz and
// Mermaid. Bindings written in the manifests are drawn with their subjects
// and roles (built-in roles they reference included); a binding → role
// edge is marked when the role grants a catalog risk where the binding
// applies, red from high up, orange at medium, with the worst risk as its
// label. Dashed edges show a ClusterRole's rules aggregated into another.

type graphNode struct {
	id, kind, label string
}

type graphEdge struct {
	from, to string
	label    string
	sev      rbac.Severity
	dashed   bool
}

type graphModel struct {
	nodes []graphNode
	edges []graphEdge
}

// graph builds the model; riskyOnly keeps bindings whose role grants a
// risk at medium or above.
func (a *Analysis) graph(riskyOnly bool) graphModel {
	var m graphModel
	ids := map[string]string{}
	node := func(key, kind, label string) string {
		if id, ok := ids[key]; ok {
			return id
		}
		id := fmt.Sprintf("n%d", len(ids))
		ids[key] = id
		m.nodes = append(m.nodes, graphNode{id: id, kind: kind, label: label})
		return id
	}
	roleNode := func(r *rbac.Role) string { return node("role:"+r.String(), "role", RoleName(r)) }
	for _, b := range a.ManifestBindings() {
		sev, title := a.roleRisk(b)
		if riskyOnly && sev < rbac.Medium {
			continue
		}
		bid := node("binding:"+b.String(), "binding", BindingName(b))
		for _, s := range b.Subjects {
			m.edges = append(m.edges, graphEdge{from: node("subject:"+s.String(), "subject", SubjectName(s)), to: bid})
		}
		var rid string
		if b.Role != nil {
			rid = roleNode(b.Role)
		} else {
			rid = node("missing:"+b.String(), "missing", fmt.Sprintf("%s %s (not defined)", b.RoleRef.Kind, b.RoleRef.Name))
		}
		e := graphEdge{from: bid, to: rid, sev: sev}
		if sev >= rbac.Medium {
			e.label = sev.String() + ": " + title
		}
		m.edges = append(m.edges, e)
	}
	// Aggregation into roles already drawn.
	for _, t := range a.Graph.Roles() {
		tid, drawn := ids["role:"+t.String()]
		if t.Aggregation == nil || !drawn {
			continue
		}
		seen := map[*rbac.Role]bool{}
		for _, r := range t.Rules {
			src := r.Origin
			if len(r.Through) > 0 {
				src = r.Through[0] // nearest first: the role aggregated into t
			}
			if src == t || seen[src] || (src.Builtin && riskyOnly) {
				continue
			}
			seen[src] = true
			m.edges = append(m.edges, graphEdge{from: roleNode(src), to: tid, label: "aggregated into", dashed: true})
		}
	}
	return m
}

// WriteDOT writes the graph in Graphviz's DOT language.
func (a *Analysis) WriteDOT(w io.Writer, riskyOnly bool) error {
	m := a.graph(riskyOnly)
	bw := bufio.NewWriter(w)
	bw.WriteString("digraph rbac {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	shapes := map[string]string{"subject": "ellipse", "binding": "box", "role": "hexagon", "missing": "octagon"}
	for _, n := range m.nodes {
		extra := ""
		if n.kind == "missing" {
			extra = ", style=dashed"
		}
		fmt.Fprintf(bw, "  %s [label=%s, shape=%s%s];\n", n.id, dotQuote(n.label), shapes[n.kind], extra)
	}
	for _, e := range m.edges {
		var attrs []string
		if e.label != "" {
			attrs = append(attrs, "label="+dotQuote(e.label))
		}
		switch {
		case e.dashed:
			attrs = append(attrs, "style=dashed")
		case e.sev >= rbac.High:
			attrs = append(attrs, "color=red", "fontcolor=red", "penwidth=2")
		case e.sev == rbac.Medium:
			attrs = append(attrs, "color=orange")
		}
		list := ""
		if len(attrs) > 0 {
			list = " [" + strings.Join(attrs, ", ") + "]"
		}
		fmt.Fprintf(bw, "  %s -> %s%s;\n", e.from, e.to, list)
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// WriteMermaid writes the graph as a Mermaid flowchart.
func (a *Analysis) WriteMermaid(w io.Writer, riskyOnly bool) error {
	m := a.graph(riskyOnly)
	bw := bufio.NewWriter(w)
	bw.WriteString("flowchart LR\n")
	for _, n := range m.nodes {
		l := mermaidQuote(n.label)
		switch n.kind {
		case "subject":
			fmt.Fprintf(bw, "  %s([%s])\n", n.id, l)
		case "role":
			fmt.Fprintf(bw, "  %s{{%s}}\n", n.id, l)
		case "missing":
			fmt.Fprintf(bw, "  %s>%s]\n", n.id, l)
		default:
			fmt.Fprintf(bw, "  %s[%s]\n", n.id, l)
		}
	}
	var red, orange []string
	for i, e := range m.edges {
		arrow := "-->"
		switch {
		case e.dashed:
			arrow = "-.->"
		case e.sev >= rbac.High:
			arrow = "==>"
			red = append(red, fmt.Sprint(i))
		case e.sev == rbac.Medium:
			orange = append(orange, fmt.Sprint(i))
		}
		if e.label != "" {
			fmt.Fprintf(bw, "  %s %s|%s| %s\n", e.from, arrow, mermaidQuote(e.label), e.to)
		} else {
			fmt.Fprintf(bw, "  %s %s %s\n", e.from, arrow, e.to)
		}
	}
	if len(red) > 0 {
		fmt.Fprintf(bw, "  linkStyle %s stroke:red,stroke-width:2px\n", strings.Join(red, ","))
	}
	if len(orange) > 0 {
		fmt.Fprintf(bw, "  linkStyle %s stroke:orange\n", strings.Join(orange, ","))
	}
	return bw.Flush()
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// mermaidQuote quotes a label; Mermaid has no backslash escapes, only
// entity codes.
func mermaidQuote(s string) string {
	return `"` + strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s) + `"`
}
