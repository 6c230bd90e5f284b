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
{{ include "kling-balances.releaseLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The chart and the release: shared by the application and the helm test pod.
*/}}
{{- define "kling-balances.releaseLabels" -}}
app.kubernetes.io/name: {{ include "kling-balances.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector labels of the application's pods: the Deployment's (immutable), the Service's, the
PodDisruptionBudget's and the NetworkPolicy's. The component keeps other pods of the release,
such as the helm test pod, out of all of them.
*/}}
{{- define "kling-balances.selectorLabels" -}}
{{ include "kling-balances.releaseLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/*
Selector labels of the helm test pod; the NetworkPolicy lets it reach both ports.
*/}}
{{- define "kling-balances.testSelectorLabels" -}}
{{ include "kling-balances.releaseLabels" . }}
app.kubernetes.io/component: test
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
Labels for every resource of the application: the common labels, its component and
commonLabels from the values.
*/}}
{{- define "kling-balances.allLabels" -}}
{{ include "kling-balances.labels" . }}
app.kubernetes.io/component: server
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels of the helm test pod: like allLabels, but its own component.
*/}}
{{- define "kling-balances.testLabels" -}}
{{ include "kling-balances.labels" . }}
app.kubernetes.io/component: test
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

{{/*
The API and the actuator on one port would put metrics, info and the upstreams' health
behind the Ingress.
*/}}
{{- define "kling-balances.validatePorts" -}}
{{- if eq (int .Values.containerPorts.http) (int .Values.containerPorts.management) -}}
{{- fail "containerPorts.management must differ from containerPorts.http: the actuator gets its own port, which the Ingress never routes to" -}}
{{- end -}}
{{- end }}

{{/*
The pod's grace period: the preStop sleep, then the application's shutdown phase (running
requests finish), then 5 s for the JVM to exit. Derived when terminationGracePeriodSeconds is
empty; a given value must leave at least that much time.
*/}}
{{- define "kling-balances.terminationGracePeriodSeconds" -}}
{{- $needed := add (int .Values.shutdown.preStopSleepSeconds) (int .Values.shutdown.timeoutPerPhaseSeconds) 5 -}}
{{- $given := .Values.terminationGracePeriodSeconds -}}
{{- if eq (toString $given) "" -}}
{{ $needed }}
{{- else if lt (int $given) $needed -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be at least %d: shutdown.preStopSleepSeconds + shutdown.timeoutPerPhaseSeconds + 5 s for the JVM to exit (leave it empty to have it derived)" (int $given) $needed) -}}
{{- else -}}
{{ int $given }}
{{- end -}}
{{- end }}

{{/*
Container lifecycle: lifecycleHooks from the values; without a preStop hook there, an exec of
`sleep` (in the image; the sleep action needs Kubernetes 1.30), so that endpoints and load
balancers stop sending requests before the application stops taking them.
*/}}
{{- define "kling-balances.lifecycle" -}}
{{- $lifecycle := deepCopy (.Values.lifecycleHooks | default dict) -}}
{{- $sleep := int .Values.shutdown.preStopSleepSeconds -}}
{{- if and (not (hasKey $lifecycle "preStop")) (gt $sleep 0) -}}
{{- $_ := set $lifecycle "preStop" (dict "exec" (dict "command" (list "sleep" (toString $sleep)))) -}}
{{- end -}}
{{- with $lifecycle -}}
{{ toYaml . }}
{{- end -}}
{{- end }}

{{/*
The Redis connection from store.redis.url as Spring Boot's host, port, database and ssl, or
from store.redis.clusterNodes as its cluster nodes (a YAML dict; empty with the memory store),
with every port it is reached at (ports). Boot ignores spring.data.redis.password whenever
spring.data.redis.url is set (the URL's own credentials win), so the chart never passes the
URL on: the password from the Secret would be dropped without a word.
*/}}
{{- define "kling-balances.redis" -}}
{{- if eq .Values.store.type "redis" -}}
{{- $nodes := .Values.store.redis.clusterNodes | default list -}}
{{- if and $nodes .Values.store.redis.url -}}
{{- fail "store.redis.url and store.redis.clusterNodes: set one of them (a single server or a Redis Cluster), not both" -}}
{{- end -}}
{{- if $nodes -}}
{{- $ports := list -}}
{{- range $nodes -}}
{{- $port := regexFind "[0-9]+$" . -}}
{{- if or (not (regexMatch "^[^:/@\\s]+:[0-9]+$" .)) (lt (int $port) 1) (gt (int $port) 65535) -}}
{{- fail (printf "store.redis.clusterNodes: %q is not host:port" .) -}}
{{- end -}}
{{- $ports = append $ports $port -}}
{{- end -}}
nodes: {{ join "," $nodes | quote }}
ports: {{ $ports | uniq | toJson }}
ssl: {{ .Values.store.redis.ssl }}
{{- else -}}
{{- $raw := .Values.store.redis.url -}}
{{- $url := urlParse $raw -}}
{{- if $url.userinfo -}}
{{- fail "store.redis.url must not contain credentials: put the password into a Secret, name it in store.redis.existingSecret (key: store.redis.existingSecretKey) and the user, if any, in store.redis.username" -}}
{{- end -}}
{{- if or $url.query $url.fragment -}}
{{- fail (printf "store.redis.url %q: no query or fragment; further spring.data.redis.* settings go into extraConfig (e.g. SPRING_DATA_REDIS_TIMEOUT)" $raw) -}}
{{- end -}}
{{- if not $url.hostname -}}
{{- fail (printf "store.redis.url %q has no host: use redis://host:port[/database]" $raw) -}}
{{- end -}}
{{- $port := trimPrefix ":" (regexFind ":[0-9]+$" $url.host) | default "6379" -}}
{{- if or (lt (int $port) 1) (gt (int $port) 65535) -}}
{{- fail (printf "store.redis.url %q: the port must be between 1 and 65535" $raw) -}}
{{- end -}}
{{- $database := trimPrefix "/" $url.path -}}
{{- if not (regexMatch "^[0-9]*$" $database) -}}
{{- fail (printf "store.redis.url %q: the path must be a database number, as in redis://host:6379/0" $raw) -}}
{{- end -}}
host: {{ $url.hostname | quote }}
port: {{ $port | quote }}
ports: {{ list $port | toJson }}
database: {{ $database | quote }}
ssl: {{ or .Values.store.redis.ssl (eq $url.scheme "rediss") }}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
"true" when more than one pod runs at all times: replicaCount above 1, or the HPA with
minReplicas above 1. Only then does a PodDisruptionBudget help; for a single pod it would block
every node drain.
*/}}
{{- define "kling-balances.multiplePods" -}}
{{- if .Values.autoscaling.enabled -}}
{{- if gt (int .Values.autoscaling.minReplicas) 1 }}true{{ end -}}
{{- else if gt (int .Values.replicaCount) 1 -}}
true
{{- end -}}
{{- end }}

{{/*
topologySpreadConstraints from the values; an entry without a labelSelector gets one that
selects this release's application pods.
*/}}
{{- define "kling-balances.topologySpreadConstraints" -}}
{{- $constraints := list -}}
{{- range .Values.topologySpreadConstraints -}}
{{- $constraint := deepCopy . -}}
{{- if not (hasKey $constraint "labelSelector") -}}
{{- $_ := set $constraint "labelSelector" (dict "matchLabels" (include "kling-balances.selectorLabels" $ | fromYaml)) -}}
{{- end -}}
{{- $constraints = append $constraints $constraint -}}
{{- end -}}
{{- with $constraints -}}
{{ toYaml . }}
{{- end -}}
{{- end }}

{{/*
The Deployment's update strategy. With the memory store two pods side by side (a rolling
update's surge pod next to the old one) would each fetch and pace every credential on their
own, so two calls with one Kling credential could arrive within a second: the old pod stops
before the new one starts (Recreate). With the redis store the pods share the pacing, and
the rollout surges one pod at a time, never below the current count.
*/}}
{{- define "kling-balances.updateStrategy" -}}
{{- $strategy := .Values.updateStrategy | default dict -}}
{{- if eq .Values.store.type "memory" -}}
{{- if not $strategy -}}
{{- $strategy = dict "type" "Recreate" -}}
{{- else if ne (toString ($strategy.type | default "RollingUpdate")) "Recreate" -}}
{{- $surge := toString (dig "rollingUpdate" "maxSurge" "25%" $strategy) -}}
{{- if not (has $surge (list "0" "0%")) -}}
{{- fail (printf "updateStrategy: with store.type memory a rolling update must not surge (maxSurge is %s): the new pod and the old one would each pace the Kling credentials on their own. Use type: Recreate (the default), or maxSurge: 0 with maxUnavailable: 1, or store.type: redis" $surge) -}}
{{- end -}}
{{- end -}}
{{- else if not $strategy -}}
{{- $strategy = dict "type" "RollingUpdate" "rollingUpdate" (dict "maxSurge" 1 "maxUnavailable" 0) -}}
{{- end -}}
{{- toYaml $strategy -}}
{{- end -}}
