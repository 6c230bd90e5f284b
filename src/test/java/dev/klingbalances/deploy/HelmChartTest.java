package dev.klingbalances.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static dev.klingbalances.deploy.HelmChart.asList;
import static dev.klingbalances.deploy.HelmChart.asMap;
import static dev.klingbalances.deploy.HelmChart.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The Helm chart, linted and rendered by the Helm library that helm-java embeds, for the
 * value sets in {@code helm/kling-balances/ci/}: what a cluster would receive.
 */
class HelmChartTest {

	private static final String SECRET_KEY = "test-secret-key-1";

	private static final String USEAPI_TOKEN = "test-useapi-token";

	/** The chart-testing value sets and the HA example, relative to the chart. */
	static Stream<String> valueSets() {
		return Stream.of("ci/default-values.yaml", "ci/existing-secret-values.yaml", "ci/all-features-values.yaml",
				"examples/values-ha.yaml");
	}

	private static HelmChart.Rendered render(String valueSet) {
		return HelmChart.render(HelmChart.DIRECTORY.resolve(valueSet));
	}

	@Test
	void passesStrictLint() {
		LintResult result = new Helm(HelmChart.DIRECTORY).lint().strict().call();

		assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
		assertThat(result.getMessages()).noneMatch((message) -> message.contains("[WARNING]")
				|| message.contains("[ERROR]"));
	}

	@ParameterizedTest
	@MethodSource("valueSets")
	void probesHitTheActuatorHealthGroupsOnTheManagementPort(String valueSet) {
		HelmChart.Rendered rendered = render(valueSet);
		Map<String, String> environment = rendered.environment();

		assertThat(rendered.probePath("startupProbe")).isEqualTo("/actuator/health/liveness");
		assertThat(rendered.probePath("livenessProbe")).isEqualTo("/actuator/health/liveness");
		assertThat(rendered.probePath("readinessProbe")).isEqualTo("/actuator/health/readiness");
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			assertThat(at(rendered.container(), probe + ".httpGet.port")).as(probe).isEqualTo("management");
		}
		assertThat(rendered.containerPort("http")).isEqualTo(Integer.valueOf(environment.get("SERVER_PORT")));
		assertThat(rendered.containerPort("management"))
			.isEqualTo(Integer.valueOf(environment.get("MANAGEMENT_SERVER_PORT")))
			.isNotEqualTo(rendered.containerPort("http"));
	}

	@ParameterizedTest
	@MethodSource("valueSets")
	void exposesTheManagementPortOnTheServiceButNeverThroughTheIngress(String valueSet) {
		HelmChart.Rendered rendered = render(valueSet);

		assertThat(asList(at(rendered.one("Service"), "spec.ports"))).extracting((port) -> at(port, "name"))
			.containsExactlyInAnyOrder("http", "management");
		assertThat(asList(at(rendered.one("Service"), "spec.ports")))
			.allSatisfy((port) -> assertThat(at(port, "targetPort")).isEqualTo(at(port, "name")));
		for (Map<String, Object> monitor : rendered.all("ServiceMonitor")) {
			assertThat(asList(at(monitor, "spec.endpoints"))).singleElement().satisfies((endpoint) -> {
				assertThat(at(endpoint, "port")).isEqualTo("management");
				assertThat(at(endpoint, "path")).isEqualTo("/actuator/prometheus");
			});
		}
		for (Map<String, Object> ingress : rendered.all("Ingress")) {
			List<Object> backends = new ArrayList<>();
			asList(at(ingress, "spec.rules")).forEach((rule) -> asList(at(rule, "http.paths"))
				.forEach((path) -> backends.add(at(path, "backend.service.port.number"))));
			assertThat(backends).isNotEmpty()
				.allSatisfy((port) -> assertThat(rendered.servicePort(((Number) port).intValue()).get("targetPort"))
					.isEqualTo("http"));
		}
	}

	@ParameterizedTest
	@MethodSource("valueSets")
	void runsNonRootWithAReadOnlyRootFilesystemAndNoCapabilities(String valueSet) {
		HelmChart.Rendered rendered = render(valueSet);
		Map<String, Object> pod = asMap(at(rendered.deployment(), "spec.template.spec"));
		Map<String, Object> container = rendered.container();

		assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(pod, "securityContext.runAsUser")).isEqualTo(10001);
		assertThat(at(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
		assertThat(at(pod, "automountServiceAccountToken")).isEqualTo(false);
		assertThat(at(container, "securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
		assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
		assertThat(asList(at(container, "securityContext.capabilities.drop"))).containsExactly("ALL");
		assertThat(at(container, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
		assertThat(asList(container.get("volumeMounts"))).anySatisfy((mount) -> {
			assertThat(at(mount, "mountPath")).isEqualTo("/tmp");
			String volume = String.valueOf(at(mount, "name"));
			assertThat(asList(pod.get("volumes")))
				.anySatisfy((v) -> assertThat(at(v, "name")).isEqualTo(volume))
				.filteredOn((v) -> volume.equals(at(v, "name")))
				.allSatisfy((v) -> assertThat(at(v, "emptyDir")).isNotNull());
		});
		assertThat(container.get("resources")).isNotNull();
		if (rendered.has("ServiceAccount")) {
			assertThat(rendered.one("ServiceAccount").get("automountServiceAccountToken")).isEqualTo(false);
		}
	}

	@ParameterizedTest
	@MethodSource("valueSets")
	void selectsItsOwnPodsOnlyWithStableSelectorLabels(String valueSet) {
		HelmChart.Rendered rendered = render(valueSet);
		Map<String, Object> selector = asMap(at(rendered.deployment(), "spec.selector.matchLabels"));
		Map<String, Object> podLabels = asMap(at(rendered.deployment(), "spec.template.metadata.labels"));

		// The selector is immutable on a Deployment: nothing that changes between releases.
		assertThat(selector)
			.containsOnlyKeys("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component")
			.containsEntry("app.kubernetes.io/instance", HelmChart.RELEASE)
			.containsEntry("app.kubernetes.io/component", "server");
		assertThat(podLabels).containsAllEntriesOf(selector);
		assertThat(asMap(at(rendered.one("Service"), "spec.selector"))).isEqualTo(selector);
		for (String kind : List.of("PodDisruptionBudget", "NetworkPolicy")) {
			for (Map<String, Object> resource : rendered.all(kind)) {
				Object matchLabels = kind.equals("NetworkPolicy") ? at(resource, "spec.podSelector.matchLabels")
						: at(resource, "spec.selector.matchLabels");
				assertThat(asMap(matchLabels)).as(kind).isEqualTo(selector);
			}
		}
		for (Map<String, Object> monitor : rendered.all("ServiceMonitor")) {
			assertThat(asMap(at(monitor, "spec.selector.matchLabels"))).isEqualTo(selector);
		}
	}

	@ParameterizedTest
	@MethodSource("valueSets")
	void everyResourceIsNamespacedAndLabelledByTheRelease(String valueSet) {
		for (Map<String, Object> resource : render(valueSet).documents()) {
			assertThat(at(resource, "metadata.labels.app\\.kubernetes\\.io/instance"))
				.as("%s", resource.get("kind"))
				.isEqualTo(HelmChart.RELEASE);
			assertThat(at(resource, "metadata.namespace")).as("%s", resource.get("kind")).isNotNull();
		}
	}

	@Test
	void putsCredentialsIntoTheSecretAndNowhereElse() {
		HelmChart.Rendered rendered = render("ci/all-features-values.yaml");
		Map<String, Object> secretData = asMap(rendered.one("Secret").get("data"));

		assertThat(secretData).containsKeys("BALANCES_KLING_ACCOUNTS_0_SECRETKEY", "BALANCES_KLING_ACCOUNTS_0_ACCESSKEY",
				"BALANCES_KLING_ACCOUNTS_1_APIKEY", "BALANCES_USEAPI_TOKEN", "BALANCES_SECURITY_APIKEYS_0_SHA256");
		assertThat(rendered.environment()).containsEntry("BALANCES_KLING_ACCOUNTS_0_SECRETKEY", SECRET_KEY)
			.containsEntry("BALANCES_USEAPI_TOKEN", USEAPI_TOKEN);
		for (Map<String, Object> resource : rendered.documents()) {
			if (!"Secret".equals(resource.get("kind"))) {
				assertThat(new Yaml().dump(resource)).as("%s", resource.get("kind"))
					.doesNotContain(SECRET_KEY, USEAPI_TOKEN, "test-access-key-1", "test-api-key-2", "SECRETKEY",
							"APIKEY", "TOKEN");
			}
		}
		assertThat(asMap(rendered.one("ConfigMap").get("data"))).containsEntry("BALANCES_USEAPI_EMAILS",
				"first@example.com,second@example.com");
	}

	@Test
	void usesTheExistingSecretInsteadOfRenderingOne() {
		HelmChart.Rendered rendered = render("ci/existing-secret-values.yaml");

		assertThat(rendered.has("Secret")).isFalse();
		assertThat(asList(rendered.container().get("envFrom")))
			.anySatisfy((source) -> assertThat(at(source, "secretRef.name")).isEqualTo("kling-balances-credentials"));
		assertThat(asMap(at(rendered.deployment(), "spec.template.metadata.annotations")))
			.containsKey("checksum/config")
			.doesNotContainKey("checksum/secret");
	}

	@Test
	void refusesCredentialsGivenBothInlineAndThroughAnExistingSecret() {
		assertThatIllegalStateException()
			.isThrownBy(() -> HelmChart.render(HelmChart.DIRECTORY, HelmChart.ciValues("existing-secret-values.yaml"),
					Map.of("useapi", Map.of("token", "inline-token"))))
			.withMessageContaining("existingSecret is set");
	}

	@Test
	void rollsThePodsWhenConfigurationOrCredentialsChange() {
		Map<String, Object> base = annotations(HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("useapi", Map.of("token", "one"))));
		Map<String, Object> otherToken = annotations(HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("useapi", Map.of("token", "two"))));
		Map<String, Object> otherConfig = annotations(HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("useapi", Map.of("token", "one"), "logFormat", "")));

		assertThat(base.get("checksum/secret")).isNotNull().isNotEqualTo(otherToken.get("checksum/secret"));
		assertThat(base.get("checksum/config")).isEqualTo(otherToken.get("checksum/config"));
		assertThat(base.get("checksum/config")).isNotNull().isNotEqualTo(otherConfig.get("checksum/config"));
		assertThat(base.get("checksum/secret")).isEqualTo(otherConfig.get("checksum/secret"));
	}

	private static Map<String, Object> annotations(HelmChart.Rendered rendered) {
		return asMap(at(rendered.deployment(), "spec.template.metadata.annotations"));
	}

	@Test
	void rendersTheOptionalResourcesOnlyWhenAskedFor() {
		HelmChart.Rendered defaults = render("ci/default-values.yaml");
		HelmChart.Rendered everything = render("ci/all-features-values.yaml");

		// One pod by default: a PodDisruptionBudget would only block node drains.
		assertThat(defaults.documents()).extracting((resource) -> resource.get("kind"))
			.containsExactlyInAnyOrder("Deployment", "Service", "ServiceAccount", "ConfigMap", "Secret");
		assertThat(everything.documents()).extracting((resource) -> resource.get("kind"))
			.contains("HorizontalPodAutoscaler", "NetworkPolicy", "ServiceMonitor", "Ingress", "PodDisruptionBudget");
		assertThat(at(everything.deployment(), "spec.replicas")).as("the HPA owns the replica count").isNull();
	}

	@Test
	void networkPolicyAdmitsConsumersToTheApiAndPrometheusToTheManagementPortAndLetsOnlyDnsHttpsAndRedisOut() {
		HelmChart.Rendered rendered = render("ci/all-features-values.yaml");
		Map<String, Object> policy = rendered.one("NetworkPolicy");
		int http = rendered.containerPort("http");
		int management = rendered.containerPort("management");
		Map<String, String> consumer = Map.of("kb-kling-balances-client", "true");
		Map<String, String> prometheus = Map.of("app.kubernetes.io/name", "prometheus");
		String release = HelmChart.NAMESPACE;

		assertThat(NetworkPolicyRules.admits(rendered, release, consumer, http)).isTrue();
		assertThat(NetworkPolicyRules.admits(rendered, release, consumer, management)).isFalse();
		assertThat(NetworkPolicyRules.admits(rendered, release, Map.of("app", "other"), http)).isFalse();
		assertThat(NetworkPolicyRules.admits(rendered, "monitoring", prometheus, management)).isTrue();
		assertThat(NetworkPolicyRules.admits(rendered, "monitoring", prometheus, http)).isFalse();
		assertThat(NetworkPolicyRules.admits(rendered, "elsewhere", prometheus, management)).isFalse();
		List<Object> egressPorts = new ArrayList<>();
		asList(at(policy, "spec.egress")).forEach((rule) -> {
			assertThat(at(rule, "to")).as("no destination restriction besides the port").isNull();
			asList(at(rule, "ports")).forEach((port) -> egressPorts.add(at(port, "port")));
		});
		// 6380: the Redis port of store.redis.url in the value set
		assertThat(egressPorts).containsExactlyInAnyOrder(53, 53, 443, 6380);
	}

	@ParameterizedTest
	@ValueSource(strings = { "replicaCount=two", "security.mode=open", "security.apiKeys[0].sha256=not-a-hash",
			"image.pullPolicy=Sometimes", "kling.accounts[0].accessKey=no-id-and-no-secret", "unknownSetting=1",
			"containerPorts.management=8081x", "service.managementPort=none", "shutdown.preStopSleepSeconds=five",
			"shutdown.timeoutPerPhaseSeconds=20s", "networkPolicy.managementFrom=monitoring" })
	void schemaRejectsABadValue(String assignment) {
		String[] parts = assignment.split("=", 2);
		Map<String, Object> values = nested(parts[0], parts[1]);

		assertThatIllegalStateException().isThrownBy(() -> HelmChart.render(HelmChart.DIRECTORY, null, values))
			.withMessageContaining("schema");
	}

	@Test
	void refusesTheApiPortForTheManagementServer() {
		assertThatIllegalStateException()
			.isThrownBy(() -> HelmChart.render(HelmChart.DIRECTORY, null,
					Map.of("containerPorts", Map.of("http", 8080, "management", 8080))))
			.withMessageContaining("containerPorts.management must differ from containerPorts.http");
	}

	/** Turns {@code a.b[0].c} and a value into nested maps and lists. */
	private static Map<String, Object> nested(String path, Object value) {
		Object current = value;
		String[] keys = path.split("\\.");
		for (int i = keys.length - 1; i >= 0; i--) {
			String key = keys[i];
			if (key.endsWith("[0]")) {
				current = Map.of(key.substring(0, key.length() - 3), List.of(current));
			}
			else {
				current = Map.of(key, current);
			}
		}
		return asMap(current);
	}

	@Test
	void environmentNamesBindToTheApplicationsProperties() {
		Binder binder = binder(render("ci/all-features-values.yaml").environment());

		List<KlingAccount> accounts = binder.bind("balances.kling.accounts", Bindable.listOf(KlingAccount.class)).get();
		assertThat(accounts).containsExactly(new KlingAccount("main", "test-access-key-1", SECRET_KEY, null),
				new KlingAccount("newer", null, null, "test-api-key-2"));
		assertThat(binder.bind("balances.kling.base-url", String.class).get()).isEqualTo("https://kling-proxy.example.com");
		assertThat(binder.bind("balances.useapi.token", String.class).get()).isEqualTo(USEAPI_TOKEN);
		assertThat(binder.bind("balances.useapi.emails", Bindable.listOf(String.class)).get())
			.containsExactly("first@example.com", "second@example.com");
		assertThat(binder.bind("balances.security.mode", String.class).get()).isEqualTo("api-key");
		assertThat(binder.bind("balances.security.api-keys", Bindable.listOf(ApiKey.class)).get())
			.containsExactly(new ApiKey("dashboard", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
					List.of("kling/*", "useapi/render.*@example.org")));
		assertThat(binder.bind("logging.structured.format.console", String.class).get()).isEqualTo("logstash");
		assertThat(binder.bind("server.port", Integer.class).get()).isEqualTo(8080);
		assertThat(binder.bind("management.server.port", Integer.class).get()).isEqualTo(9090);
		assertThat(binder.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class).get())
			.isEqualTo(Duration.ofSeconds(25));
		assertThat(binder.bind("balances.store.type", String.class).get()).isEqualTo("redis");
		assertThat(binder.bind("balances.store.key-prefix", String.class).get()).isEqualTo("kb-test:");
		assertThat(binder.bind("spring.data.redis.host", String.class).get()).isEqualTo("redis.example.com");
		assertThat(binder.bind("spring.data.redis.port", Integer.class).get()).isEqualTo(6380);
		assertThat(binder.bind("spring.data.redis.database", Integer.class).get()).isEqualTo(3);
		assertThat(binder.bind("spring.data.redis.ssl.enabled", Boolean.class).get()).isTrue();
		assertThat(binder.bind("spring.data.redis.username", String.class).get()).isEqualTo("kling-balances");
		// Boot ignores spring.data.redis.password whenever a URL is set.
		assertThat(binder.bind("spring.data.redis.url", String.class).isBound()).isFalse();
	}

	/** What the application binds from the container's environment alone. */
	private static Binder binder(Map<String, String> environment) {
		StandardEnvironment spring = new StandardEnvironment();
		spring.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
							Map.copyOf(environment)));
		spring.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		return new Binder(ConfigurationPropertySources.from(spring.getPropertySources()));
	}

	@Test
	void aRedisClusterIsGivenByItsNodesAndReachedOnTheirPorts() {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("replicaCount", 2, "networkPolicy", Map.of("enabled", true), "store",
						Map.of("type", "redis", "redis", Map.of("clusterNodes",
								List.of("redis-0.redis:6379", "redis-1.redis:6379", "redis-2.redis:6380"), "ssl", true))));
		Map<String, String> environment = rendered.environment();

		assertThat(environment).doesNotContainKeys("SPRING_DATA_REDIS_HOST", "SPRING_DATA_REDIS_PORT",
				"SPRING_DATA_REDIS_DATABASE");
		Binder binder = binder(environment);
		assertThat(binder.bind("spring.data.redis.cluster.nodes", Bindable.listOf(String.class)).get())
			.containsExactly("redis-0.redis:6379", "redis-1.redis:6379", "redis-2.redis:6380");
		assertThat(binder.bind("spring.data.redis.ssl.enabled", Boolean.class).get()).isTrue();
		List<Object> egressPorts = new ArrayList<>();
		asList(at(rendered.one("NetworkPolicy"), "spec.egress"))
			.forEach((rule) -> asList(at(rule, "ports")).forEach((port) -> egressPorts.add(at(port, "port"))));
		assertThat(egressPorts).containsExactlyInAnyOrder(53, 53, 443, 6379, 6380);
	}

	@Test
	void refusesBothARedisUrlAndClusterNodesAndANodeWithoutPort() {
		assertThatIllegalStateException().isThrownBy(() -> HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("store", Map.of("type", "redis", "redis",
						Map.of("url", "redis://redis:6379", "clusterNodes", List.of("redis-0.redis:6379"))))))
			.withMessageContaining("not both");
		assertThatIllegalStateException().isThrownBy(() -> HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("store", Map.of("type", "redis", "redis", Map.of("clusterNodes", List.of("redis-0.redis"))))))
			.withMessageContaining("schema");
	}

	record KlingAccount(String id, @Nullable String accessKey, @Nullable String secretKey, @Nullable String apiKey) {
	}

	record ApiKey(String name, String sha256, List<String> accounts) {
	}

	@Test
	void documentsEveryValueInTheReadmeParameterTable() throws IOException {
		List<String> lines = Files.readAllLines(HelmChart.DIRECTORY.resolve("values.yaml"));
		List<String> documented = lines.stream()
			.map(String::strip)
			.filter((line) -> line.startsWith("## @param "))
			.map((line) -> line.split(" ")[2])
			.toList();
		Map<String, Object> values = asMap(new Yaml().load(String.join("\n", lines)));
		String readme = Files.readString(HelmChart.DIRECTORY.resolve("README.md"));

		assertThat(values.keySet()).allSatisfy((key) -> assertThat(documented)
			.as("a @param for %s or below it", key)
			.anyMatch((name) -> name.equals(key) || name.startsWith(key + ".")));
		assertThat(documented).allSatisfy((name) -> assertThat(readme).contains("| `" + name + "` |"));
	}

	@ParameterizedTest
	@MethodSource("valueSets")
	void helmTestPodIsSelectedByNoAppSelectorAndReachesBothServicePortsThroughTheNetworkPolicy(String valueSet,
			@TempDir Path copy) {
		// Every optional resource on, the NetworkPolicy in particular, and the PodDisruptionBudget
		// through several pods on the redis store.
		HelmChart.Rendered rendered = HelmChart.renderWithTestPod(copy, HelmChart.DIRECTORY.resolve(valueSet),
				Map.of("networkPolicy", Map.of("enabled", true), "pdb", Map.of("create", true), "replicaCount", 2,
						"store", Map.of("type", "redis", "redis", Map.of("url", "redis://redis:6379"))));
		Map<String, Object> pod = rendered.one("Pod");
		Map<String, Object> podLabels = asMap(at(pod, "metadata.labels"));

		Map<String, Map<String, Object>> selectors = Map.of("Deployment",
				asMap(at(rendered.deployment(), "spec.selector.matchLabels")), "Service",
				asMap(at(rendered.one("Service"), "spec.selector")), "PodDisruptionBudget",
				asMap(at(rendered.one("PodDisruptionBudget"), "spec.selector.matchLabels")), "NetworkPolicy",
				asMap(at(rendered.one("NetworkPolicy"), "spec.podSelector.matchLabels")));
		Map<String, Object> appPodLabels = asMap(at(rendered.deployment(), "spec.template.metadata.labels"));
		selectors.forEach((kind, selector) -> {
			assertThat(selector).as(kind).isNotEmpty();
			assertThat(appPodLabels).as("the app pod is selected by the %s", kind).containsAllEntriesOf(selector);
			assertThat(podLabels.entrySet().containsAll(selector.entrySet()))
				.as("the helm test pod %s is selected by the %s (%s)", podLabels, kind, selector)
				.isFalse();
		});

		List<String> urls = asList(at(pod, "spec.containers[0].args")).stream()
			.map(String::valueOf)
			.filter((arg) -> arg.startsWith("http://"))
			.toList();
		String service = "http://kb-kling-balances:";
		assertThat(urls).containsExactlyInAnyOrder(service + rendered.servicePort("http") + "/v3/api-docs",
				service + rendered.servicePort("management") + "/actuator/health/readiness");
		for (String url : urls) {
			int servicePort = URI.create(url).getPort();
			String targetPort = String.valueOf(rendered.servicePort(servicePort).get("targetPort"));
			assertThat(NetworkPolicyRules.admits(rendered, HelmChart.NAMESPACE, podLabels,
					rendered.containerPort(targetPort)))
				.as("the NetworkPolicy lets the helm test pod reach %s", url)
				.isTrue();
		}
		assertThat(at(pod, "spec.securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(pod, "spec.restartPolicy")).isEqualTo("Never");
	}

	@Test
	void waitsInAPreStopSleepAndAllowsForTheApplicationsShutdownPhase() {
		HelmChart.Rendered rendered = render("ci/default-values.yaml");

		assertThat(asList(at(rendered.container(), "lifecycle.preStop.exec.command"))).containsExactly("sleep", "5");
		assertThat(rendered.environment()).containsEntry("SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE", "20s");
		// preStop 5 s + shutdown phase 20 s + 5 s for the JVM to exit
		assertThat(at(rendered.deployment(), "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(30);
	}

	@Test
	void derivesTheGracePeriodFromThePreStopSleepAndTheShutdownTimeout() {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("shutdown", Map.of("preStopSleepSeconds", 10, "timeoutPerPhaseSeconds", 40)));

		assertThat(asList(at(rendered.container(), "lifecycle.preStop.exec.command"))).containsExactly("sleep", "10");
		assertThat(rendered.environment()).containsEntry("SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE", "40s");
		assertThat(at(rendered.deployment(), "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(55);
	}

	@Test
	void rendersNoPreStopHookWithoutASleep() {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("shutdown", Map.of("preStopSleepSeconds", 0)));

		assertThat(rendered.container()).doesNotContainKey("lifecycle");
		assertThat(at(rendered.deployment(), "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(25);
	}

	@Test
	void keepsAGivenGracePeriodAndRefusesOneTooShortForTheShutdown() {
		HelmChart.Rendered longer = HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("terminationGracePeriodSeconds", 90));

		assertThat(at(longer.deployment(), "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(90);
		assertThatIllegalStateException()
			.isThrownBy(() -> HelmChart.render(HelmChart.DIRECTORY, null, Map.of("terminationGracePeriodSeconds", 20)))
			.withMessageContaining("terminationGracePeriodSeconds (20) must be at least 30");
	}

	@Test
	void aPreStopHookFromTheValuesReplacesTheSleep() {
		Map<String, Object> hook = Map.of("httpGet", Map.of("path", "/drain", "port", "management"));
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("lifecycleHooks", Map.of("preStop", hook)));

		assertThat(asMap(at(rendered.container(), "lifecycle.preStop"))).isEqualTo(hook);
	}

	@ParameterizedTest
	@MethodSource("valueSets")
	void rendersForTheOldestSupportedKubernetesWithAnExecPreStop(String valueSet) {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, HelmChart.DIRECTORY.resolve(valueSet),
				Map.of(), HelmChart.OLDEST_KUBE_VERSION);

		// The sleep action needs Kubernetes 1.30 (beta); an exec of the image's sleep works everywhere.
		assertThat(at(rendered.container(), "lifecycle.preStop.sleep")).isNull();
		assertThat(asList(at(rendered.container(), "lifecycle.preStop.exec.command"))).first().isEqualTo("sleep");
	}

}
