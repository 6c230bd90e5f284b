{{/*
Expand the name of the chart.
*/}}
{{- define "kling-balances.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "kling-balances.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "kling-balances.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "kling-balances.labels" -}}
helm.sh/chart: {{ include "kling-balances.chart" . }}
{{ include "kling-balances.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels
*/}}
{{- define "kling-balances.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kling-balances.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Create the name of the service account to use
*/}}
{{- define "kling-balances.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kling-balances.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Labels for every resource: the common labels plus commonLabels from the values.
*/}}
{{- define "kling-balances.allLabels" -}}
{{ include "kling-balances.labels" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The image reference: repository plus digest when given, else tag (the appVersion by default).
*/}}
{{- define "kling-balances.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/*
Name of the Secret holding the credentials: the existing one, or the one this chart renders.
*/}}
{{- define "kling-balances.secretName" -}}
{{- if .Values.existingSecret -}}
{{ .Values.existingSecret }}
{{- else -}}
{{ include "kling-balances.fullname" . }}
{{- end -}}
{{- end }}

{{/*
Label that lets a pod through the NetworkPolicy when allowExternal is false.
*/}}
{{- define "kling-balances.clientLabel" -}}
{{ include "kling-balances.fullname" . }}-client
{{- end }}

{{/*
Refuses credentials given both inline and through existingSecret: one source of truth.
*/}}
{{- define "kling-balances.validateCredentials" -}}
{{- if and .Values.existingSecret (or .Values.kling.accounts .Values.useapi.token .Values.security.apiKeys) -}}
{{- fail "existingSecret is set: put the Kling accounts, the useapi.net token and the API key hashes into that Secret and leave kling.accounts, useapi.token and security.apiKeys empty" -}}
{{- end -}}
{{- end }}
