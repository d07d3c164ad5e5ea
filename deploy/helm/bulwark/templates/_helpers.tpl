{{/* The name of every object: the release name, as `bulwark policy install --name` uses. */}}
{{- define "bulwark.name" -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "bulwark.selectorLabels" -}}
app.kubernetes.io/name: bulwark
app.kubernetes.io/instance: {{ include "bulwark.name" . }}
{{- end -}}

{{- define "bulwark.labels" -}}
{{ include "bulwark.selectorLabels" . }}
app.kubernetes.io/component: webhook
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "bulwark.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "bulwark.tlsSecret" -}}
{{- if and (eq .Values.tls.mode "secret") .Values.tls.secretName -}}
{{ .Values.tls.secretName }}
{{- else -}}
{{ include "bulwark.name" . }}-tls
{{- end -}}
{{- end -}}

{{/* Namespaces never sent to the webhook: the configured ones and the release's. */}}
{{- define "bulwark.excludedNamespaces" -}}
{{- $all := append .Values.webhook.excludeNamespaces .Release.Namespace | uniq | sortAlpha -}}
{{- toYaml $all -}}
{{- end -}}

{{/* The accepted exception on the self-signed bootstrap's rights. */}}
{{- define "bulwark.selfSignedIgnore" -}}
bulwark.dev/ignore: "BW-RB-002, BW-RB-003, BW-RB-012, BW-RB-027, BW-RB-029: the self-signed TLS bootstrap writes its CA into its own webhook configuration and keeps its certificate in its own Secret; use tls.mode cert-manager or secret to run the webhook without these rights"
{{- end -}}

{{/* A CEL list of quoted strings. */}}
{{- define "bulwark.celList" -}}
{{- $q := list -}}
{{- range . -}}
{{- $q = append $q (printf "'%s'" (. | replace "\\" "\\\\" | replace "'" "\\'")) -}}
{{- end -}}
{{- join ", " $q -}}
{{- end -}}
