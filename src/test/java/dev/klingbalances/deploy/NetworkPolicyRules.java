package dev.klingbalances.deploy;

import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import static dev.klingbalances.deploy.HelmChart.asList;
import static dev.klingbalances.deploy.HelmChart.asMap;
import static dev.klingbalances.deploy.HelmChart.at;

/**
 * Decides, the way a NetworkPolicy implementation would, whether the rendered policy lets a
 * pod in through one of the application container's ports. Enough of the rules for this
 * chart: label selectors with {@code matchLabels} and the namespace's
 * {@code kubernetes.io/metadata.name} label; anything else fails the test rather than being
 * guessed at.
 */
final class NetworkPolicyRules {

	private NetworkPolicyRules() {
	}

	/**
	 * @param rendered the chart rendering with one NetworkPolicy
	 * @param namespace the namespace the connecting pod runs in
	 * @param podLabels the connecting pod's labels
	 * @param port the application container's port number it connects to
	 */
	static boolean admits(HelmChart.Rendered rendered, String namespace, Map<String, ?> podLabels, int port) {
		Map<String, Object> policy = rendered.one("NetworkPolicy");
		if (!asList(at(policy, "spec.policyTypes")).contains("Ingress")) {
			return true;
		}
		Map<String, String> namespaceLabels = Map.of("kubernetes.io/metadata.name", namespace);
		for (Object rule : asList(at(policy, "spec.ingress"))) {
			if (coversPort(rendered, at(rule, "ports"), port)
					&& admitsPeer(at(rule, "from"), namespace, namespaceLabels, podLabels)) {
				return true;
			}
		}
		return false;
	}

	private static boolean coversPort(HelmChart.Rendered rendered, @Nullable Object ports, int port) {
		if (ports == null) {
			return true;
		}
		for (Object entry : asList(ports)) {
			Object value = at(entry, "port");
			if (value == null || (value instanceof Number number && number.intValue() == port)
					|| (value instanceof String name && rendered.containerPort(name) == port)) {
				return true;
			}
		}
		return false;
	}

	private static boolean admitsPeer(@Nullable Object from, String namespace, Map<String, String> namespaceLabels,
			Map<String, ?> podLabels) {
		if (from == null) {
			return true;
		}
		for (Object peer : asList(from)) {
			Object podSelector = at(peer, "podSelector");
			Object namespaceSelector = at(peer, "namespaceSelector");
			if (at(peer, "ipBlock") != null) {
				continue;
			}
			boolean namespaceMatches = (namespaceSelector != null) ? selects(namespaceSelector, namespaceLabels)
					: HelmChart.NAMESPACE.equals(namespace);
			boolean podMatches = podSelector == null || selects(podSelector, podLabels);
			if (namespaceMatches && podMatches) {
				return true;
			}
		}
		return false;
	}

	private static boolean selects(Object selector, Map<String, ?> labels) {
		if (at(selector, "matchExpressions") != null) {
			throw new AssertionError("matchExpressions are not evaluated here: " + selector);
		}
		Map<String, Object> matchLabels = asMap(at(selector, "matchLabels"));
		return matchLabels.entrySet()
			.stream()
			.allMatch((entry) -> Objects.equals(String.valueOf(entry.getValue()), asString(labels.get(entry.getKey()))));
	}

	private static @Nullable String asString(@Nullable Object value) {
		return (value != null) ? String.valueOf(value) : null;
	}

}
