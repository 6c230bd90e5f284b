package dev.klingbalances.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import static dev.klingbalances.deploy.HelmChart.asList;
import static dev.klingbalances.deploy.HelmChart.asMap;
import static dev.klingbalances.deploy.HelmChart.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The chart's store values and what several replicas need: the schema allows more than one pod
 * only on the redis store, the Redis connection reaches Spring Boot with the password straight
 * from a Secret, and pods spread across nodes with a PodDisruptionBudget.
 */
class HelmChartHighAvailabilityTest {

	private static final String REDIS_URL = "redis://redis-master:6379";

	private static Map<String, Object> redis(Map<String, Object> redis) {
		Map<String, Object> withUrl = new LinkedHashMap<>(Map.of("url", REDIS_URL));
		withUrl.putAll(redis);
		return Map.of("type", "redis", "redis", withUrl);
	}

	private static HelmChart.Rendered render(Map<String, Object> values) {
		return HelmChart.render(HelmChart.DIRECTORY, null, values);
	}

	private static HelmChart.Rendered renderOnRedis(Map<String, Object> redis, Map<String, Object> values) {
		Map<String, Object> all = new LinkedHashMap<>(values);
		all.put("store", redis(redis));
		return render(all);
	}

	private static Map<String, Object> configMap(HelmChart.Rendered rendered) {
		return asMap(rendered.one("ConfigMap").get("data"));
	}

	private static Map<String, Object> envEntry(HelmChart.Rendered rendered, String name) {
		return asList(rendered.container().get("env")).stream()
			.map(HelmChart::asMap)
			.filter((entry) -> name.equals(entry.get("name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no env entry " + name + " in " + rendered.container().get("env")));
	}

	@Test
	void rollsOutWithoutASecondPodOnTheMemoryStore() {
		// Two pods side by side would each pace every Kling credential on their own.
		assertThat(at(render(Map.of()).deployment(), "spec.strategy")).isEqualTo(Map.of("type", "Recreate"));
		Map<String, Object> noSurge = Map.of("type", "RollingUpdate", "rollingUpdate",
				Map.of("maxSurge", 0, "maxUnavailable", 1));
		assertThat(at(render(Map.of("updateStrategy", noSurge)).deployment(), "spec.strategy")).isEqualTo(noSurge);
	}

	@ParameterizedTest
	@CsvSource({ "1, 1", "25%, 25%", "'', 25%" })
	void refusesARollingUpdateThatSurgesOnTheMemoryStore(String maxSurge, String reported) {
		Map<String, Object> rollingUpdate = maxSurge.isEmpty() ? Map.of("maxUnavailable", 0)
				: Map.of("maxSurge", maxSurge.endsWith("%") ? maxSurge : Integer.valueOf(maxSurge), "maxUnavailable", 0);
		assertThatIllegalStateException()
			.isThrownBy(() -> render(Map.of("updateStrategy", Map.of("type", "RollingUpdate", "rollingUpdate", rollingUpdate))))
			.withMessageContaining("with store.type memory a rolling update must not surge (maxSurge is " + reported + ")");
	}

	@Test
	void rollsOnePodAtATimeOnTheRedisStore() {
		assertThat(at(renderOnRedis(Map.of(), Map.of("replicaCount", 3)).deployment(), "spec.strategy"))
			.isEqualTo(Map.of("type", "RollingUpdate", "rollingUpdate", Map.of("maxSurge", 1, "maxUnavailable", 0)));
	}

	@Test
	void usesTheMemoryStoreAndOnePodByDefault() {
		HelmChart.Rendered rendered = render(Map.of());

		assertThat(configMap(rendered)).containsEntry("BALANCES_STORE_TYPE", "memory");
		assertThat(configMap(rendered).keySet()).noneMatch((name) -> name.startsWith("SPRING_DATA_REDIS"));
		assertThat(rendered.container()).doesNotContainKey("env");
		assertThat(at(rendered.deployment(), "spec.replicas")).isEqualTo(1);
		assertThat(rendered.has("PodDisruptionBudget")).isFalse();
		assertThat(rendered.has("HorizontalPodAutoscaler")).isFalse();
	}

	@Test
	void passesTheRedisConnectionAsHostPortAndDatabaseAndThePasswordFromTheSecret() {
		HelmChart.Rendered rendered = renderOnRedis(Map.of("url", "redis://redis.db.svc:6390/4", "existingSecret",
				"redis-auth", "existingSecretKey", "pass", "username", "balances"), Map.of());

		assertThat(configMap(rendered)).containsEntry("BALANCES_STORE_TYPE", "redis")
			.containsEntry("SPRING_DATA_REDIS_HOST", "redis.db.svc")
			.containsEntry("SPRING_DATA_REDIS_PORT", "6390")
			.containsEntry("SPRING_DATA_REDIS_DATABASE", "4")
			.containsEntry("SPRING_DATA_REDIS_USERNAME", "balances")
			.doesNotContainKeys("SPRING_DATA_REDIS_SSL_ENABLED", "SPRING_DATA_REDIS_PASSWORD",
					"BALANCES_STORE_KEYPREFIX");
		// Boot ignores spring.data.redis.password whenever spring.data.redis.url is set.
		assertThat(new Yaml().dump(rendered.documents())).doesNotContain("SPRING_DATA_REDIS_URL");
		assertThat(envEntry(rendered, "SPRING_DATA_REDIS_PASSWORD")).doesNotContainKey("value")
			.satisfies((entry) -> {
				assertThat(at(entry, "valueFrom.secretKeyRef.name")).isEqualTo("redis-auth");
				assertThat(at(entry, "valueFrom.secretKeyRef.key")).isEqualTo("pass");
			});
	}

	@Test
	void keepsTheExtraEnvironmentVariablesNextToTheRedisPassword() {
		HelmChart.Rendered rendered = renderOnRedis(Map.of("existingSecret", "redis"),
				Map.of("extraEnvVars", List.of(Map.of("name", "TZ", "value", "UTC"))));

		assertThat(asList(rendered.container().get("env"))).extracting((entry) -> at(entry, "name"))
			.containsExactly("SPRING_DATA_REDIS_PASSWORD", "TZ");
		assertThat(at(envEntry(rendered, "SPRING_DATA_REDIS_PASSWORD"), "valueFrom.secretKeyRef.key"))
			.isEqualTo("redis-password");
	}

	@Test
	void rendersNoPasswordVariableForARedisWithoutOne() {
		HelmChart.Rendered rendered = renderOnRedis(Map.of(), Map.of());

		assertThat(configMap(rendered)).containsEntry("SPRING_DATA_REDIS_HOST", "redis-master")
			.doesNotContainKeys("SPRING_DATA_REDIS_DATABASE", "SPRING_DATA_REDIS_USERNAME");
		assertThat(rendered.container()).doesNotContainKey("env");
	}

	@Test
	void ignoresTheRedisSettingsWithTheMemoryStore() {
		HelmChart.Rendered rendered = render(Map.of("store",
				Map.of("type", "memory", "redis", Map.of("url", REDIS_URL, "existingSecret", "redis"))));

		assertThat(configMap(rendered).keySet()).noneMatch((name) -> name.startsWith("SPRING_DATA_REDIS"));
		assertThat(rendered.container()).doesNotContainKey("env");
	}

	@ParameterizedTest
	@CsvSource({ "redis://redis:6379, false, 6379, ", "redis://redis, false, 6379, ",
			"rediss://redis:6380, false, 6380, true", "redis://redis:6379, true, 6379, true",
			"'redis://[fd00::1]:7000/0', false, 7000, " })
	void takesTheTlsSwitchAndThePortFromTheUrl(String url, boolean ssl, String port, String sslEnabled) {
		Map<String, Object> data = configMap(renderOnRedis(Map.of("url", url, "ssl", ssl), Map.of()));

		assertThat(data).containsEntry("SPRING_DATA_REDIS_PORT", port);
		assertThat(data.get("SPRING_DATA_REDIS_SSL_ENABLED")).isEqualTo(sslEnabled);
	}

	@Test
	void refusesCredentialsInTheRedisUrlWithoutRepeatingThem() {
		assertThatIllegalStateException()
			.isThrownBy(() -> renderOnRedis(Map.of("url", "redis://:hunter2@redis:6379"), Map.of()))
			.withMessageContaining("store.redis.url must not contain credentials")
			.withMessageContaining("store.redis.existingSecret")
			.withMessageNotContaining("hunter2");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "redis://redis:6379/cache | the path must be a database number",
			"redis://redis:6379?timeout=2s | no query or fragment", "redis://redis:70000 | between 1 and 65535",
			"redis:///0 | has no host", "http://redis:6379 | does not match pattern" })
	void refusesARedisUrlItCannotPassOn(String url, String message) {
		assertThatIllegalStateException().isThrownBy(() -> renderOnRedis(Map.of("url", url), Map.of()))
			.withMessageContaining(message);
	}

	@Test
	void schemaHasNoPlaceForARedisPassword() {
		assertThatIllegalStateException()
			.isThrownBy(() -> renderOnRedis(Map.of("password", "hunter2"), Map.of()))
			.withMessageContaining("schema")
			.withMessageContaining("additional properties 'password' not allowed");
	}

	@Test
	void schemaRefusesTheRedisStoreWithoutAUrl() {
		assertThatIllegalStateException().isThrownBy(() -> render(Map.of("store", Map.of("type", "redis"))))
			.withMessageContaining("schema")
			.withMessageContaining("/store/redis/url");
	}

	@ParameterizedTest
	@ValueSource(ints = { 2, 3 })
	void schemaRefusesMoreThanOneReplicaOnTheMemoryStore(int replicas) {
		assertThatIllegalStateException().isThrownBy(() -> render(Map.of("replicaCount", replicas)))
			.withMessageContaining("schema")
			.withMessageContaining("at '/replicaCount': maximum: got " + replicas + ", want 1")
			.withMessageContaining("at '/store/type': value must be 'redis'");
	}

	@Test
	void schemaRefusesTheAutoscalerOnTheMemoryStore() {
		assertThatIllegalStateException()
			.isThrownBy(() -> render(Map.of("autoscaling", Map.of("enabled", true))))
			.withMessageContaining("schema")
			.withMessageContaining("at '/autoscaling/enabled': value must be false")
			.withMessageContaining("at '/store/type': value must be 'redis'");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1 })
	void schemaAcceptsOneReplicaOrNoneOnTheMemoryStore(int replicas) {
		assertThat(at(render(Map.of("replicaCount", replicas)).deployment(), "spec.replicas")).isEqualTo(replicas);
	}

	@Test
	void theReadmeQuotesTheSchemasRefusal() throws IOException {
		String readme = Files.readString(HelmChart.DIRECTORY.resolve("README.md"));

		assertThatIllegalStateException().isThrownBy(() -> render(Map.of("replicaCount", 3)))
			.withMessageContaining("at '/replicaCount': maximum: got 3, want 1")
			.withMessageContaining("at '/store/type': value must be 'redis'");
		assertThat(readme).contains("at '/replicaCount': maximum: got 3, want 1",
				"at '/store/type': value must be 'redis'", "More than one\nreplica needs the redis store.");
	}

	@Test
	void runsSeveralReplicasOnTheRedisStoreWithADisruptionBudget() {
		HelmChart.Rendered rendered = renderOnRedis(Map.of(), Map.of("replicaCount", 3));
		Map<String, Object> budget = rendered.one("PodDisruptionBudget");

		assertThat(at(rendered.deployment(), "spec.replicas")).isEqualTo(3);
		assertThat(at(budget, "spec.minAvailable")).isEqualTo(1);
		assertThat(asMap(at(budget, "spec")).keySet()).containsExactlyInAnyOrder("minAvailable", "selector");
		assertThat(at(budget, "spec.selector.matchLabels"))
			.isEqualTo(at(rendered.deployment(), "spec.selector.matchLabels"));
	}

	@Test
	void theDisruptionBudgetTakesMaxUnavailableWhenMinAvailableIsEmptyAndCanBeSwitchedOff() {
		HelmChart.Rendered maxUnavailable = renderOnRedis(Map.of(),
				Map.of("replicaCount", 3, "pdb", Map.of("minAvailable", "", "maxUnavailable", "34%")));
		HelmChart.Rendered off = renderOnRedis(Map.of(), Map.of("replicaCount", 3, "pdb", Map.of("create", false)));

		assertThat(asMap(at(maxUnavailable.one("PodDisruptionBudget"), "spec"))).containsEntry("maxUnavailable", "34%")
			.doesNotContainKey("minAvailable");
		assertThat(off.has("PodDisruptionBudget")).isFalse();
		assertThatIllegalStateException()
			.isThrownBy(() -> renderOnRedis(Map.of(),
					Map.of("replicaCount", 3, "pdb", Map.of("minAvailable", "", "maxUnavailable", ""))))
			.withMessageContaining("pdb.minAvailable and pdb.maxUnavailable are both empty");
	}

	@Test
	void autoscalesOnTheRedisStoreWithADisruptionBudgetWhileAtLeastTwoPodsRun() {
		HelmChart.Rendered rendered = renderOnRedis(Map.of(), Map.of("autoscaling", Map.of("enabled", true)));
		HelmChart.Rendered downToOne = renderOnRedis(Map.of(),
				Map.of("autoscaling", Map.of("enabled", true, "minReplicas", 1)));
		Map<String, Object> autoscaler = rendered.one("HorizontalPodAutoscaler");

		assertThat(at(rendered.deployment(), "spec.replicas")).as("the HPA owns the replica count").isNull();
		assertThat(at(autoscaler, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
		assertThat(at(autoscaler, "spec.scaleTargetRef.name")).isEqualTo(at(rendered.deployment(), "metadata.name"));
		assertThat(at(autoscaler, "spec.minReplicas")).isEqualTo(2);
		assertThat(at(rendered.one("PodDisruptionBudget"), "spec.minAvailable")).isEqualTo(1);
		// At one pod, minAvailable: 1 would block every node drain.
		assertThat(downToOne.has("HorizontalPodAutoscaler")).isTrue();
		assertThat(downToOne.has("PodDisruptionBudget")).isFalse();
	}

	@Test
	void spreadsThePodsAcrossNodesWhereItCanByDefault() {
		HelmChart.Rendered rendered = render(Map.of());
		Map<String, Object> pod = asMap(at(rendered.deployment(), "spec.template.spec"));

		assertThat(asList(pod.get("topologySpreadConstraints"))).singleElement().satisfies((constraint) -> {
			assertThat(at(constraint, "topologyKey")).isEqualTo("kubernetes.io/hostname");
			assertThat(at(constraint, "whenUnsatisfiable")).isEqualTo("ScheduleAnyway");
			assertThat(at(constraint, "maxSkew")).isEqualTo(1);
			assertThat(at(constraint, "labelSelector.matchLabels"))
				.isEqualTo(at(rendered.deployment(), "spec.selector.matchLabels"));
		});
	}

	@Test
	void takesTheSpreadConstraintsFromTheValuesAndKeepsTheirOwnSelectors() {
		Map<String, Object> zones = Map.of("maxSkew", 1, "topologyKey", "topology.kubernetes.io/zone",
				"whenUnsatisfiable", "DoNotSchedule", "labelSelector", Map.of("matchLabels", Map.of("tier", "api")));
		Map<String, Object> nodes = Map.of("maxSkew", 2, "topologyKey", "kubernetes.io/hostname",
				"whenUnsatisfiable", "DoNotSchedule");
		HelmChart.Rendered rendered = render(Map.of("topologySpreadConstraints", List.of(zones, nodes)));
		HelmChart.Rendered off = render(Map.of("topologySpreadConstraints", List.of()));
		List<Object> constraints = asList(at(rendered.deployment(), "spec.template.spec.topologySpreadConstraints"));

		assertThat(constraints).hasSize(2);
		assertThat(constraints.get(0)).isEqualTo(zones);
		assertThat(asMap(constraints.get(1))).containsAllEntriesOf(nodes)
			.containsEntry("labelSelector",
					Map.of("matchLabels", at(rendered.deployment(), "spec.selector.matchLabels")));
		assertThat(asMap(at(off.deployment(), "spec.template.spec"))).doesNotContainKey("topologySpreadConstraints");
	}

	@Test
	void letsThePodsReachRedisThroughTheNetworkPolicyOnlyWithTheRedisStore() {
		Map<String, Object> policy = Map.of("networkPolicy", Map.of("enabled", true));

		assertThat(egressPorts(renderOnRedis(Map.of("url", "redis://redis:6390"), policy))).contains(6390);
		assertThat(egressPorts(renderOnRedis(Map.of("url", "redis://redis"), policy))).contains(6379);
		assertThat(egressPorts(render(policy))).containsExactlyInAnyOrder(53, 53, 443);
	}

	private static List<Object> egressPorts(HelmChart.Rendered rendered) {
		return asList(at(rendered.one("NetworkPolicy"), "spec.egress")).stream()
			.flatMap((rule) -> asList(at(rule, "ports")).stream())
			.map((port) -> at(port, "port"))
			.toList();
	}

	@Test
	void theHighAvailabilityExampleRunsThreePodsOnRedisSpreadAcrossNodes() {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY.resolve("examples/values-ha.yaml"));
		Object selector = at(rendered.deployment(), "spec.selector.matchLabels");

		assertThat(at(rendered.deployment(), "spec.replicas")).isEqualTo(3);
		assertThat(configMap(rendered)).containsEntry("BALANCES_STORE_TYPE", "redis")
			.containsEntry("SPRING_DATA_REDIS_HOST", "redis-master")
			.containsEntry("SPRING_DATA_REDIS_PORT", "6379");
		assertThat(at(envEntry(rendered, "SPRING_DATA_REDIS_PASSWORD"), "valueFrom.secretKeyRef"))
			.isEqualTo(Map.of("name", "redis", "key", "redis-password"));
		assertThat(at(rendered.one("PodDisruptionBudget"), "spec.minAvailable")).isEqualTo(1);
		assertThat(asList(at(rendered.deployment(), "spec.template.spec.topologySpreadConstraints")))
			.singleElement()
			.satisfies((constraint) -> {
				assertThat(at(constraint, "topologyKey")).isEqualTo("kubernetes.io/hostname");
				assertThat(at(constraint, "labelSelector.matchLabels")).isEqualTo(selector);
			});
	}

}
