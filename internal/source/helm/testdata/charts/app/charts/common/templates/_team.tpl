{{- define "common.team" -}}
team: {{ .Values.team | default "shop" }}
{{- end -}}
