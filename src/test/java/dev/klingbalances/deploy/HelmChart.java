package dev.klingbalances.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.Yaml;

import org.springframework.util.FileSystemUtils;

/**
 * Renders the chart in {@code helm/kling-balances} with the Helm library that helm-java
 * embeds, and reads the result as plain maps, the way the API server would see it.
 */
final class HelmChart {

	static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

	static final Path DIRECTORY = BASEDIR.resolve("helm/kling-balances");

	static final String RELEASE = "kb";

	static final String NAMESPACE = "balances";

	/** Helm's built-in default (v1.20) is older than the chart's kubeVersion. */
	static final String KUBE_VERSION = "1.30.0";

	/** The oldest Kubernetes version the chart supports ({@code kubeVersion} in Chart.yaml). */
	static final String OLDEST_KUBE_VERSION = "1.25.0";

	static final String TEST_POD_TEMPLATE = "templates/tests/test-connection.yaml";

	private static final String TEST_HOOK = "\"helm.sh/hook\": test";

	private static final Pattern SEGMENT = Pattern.compile("([^.\\[]+)|\\[(\\d+)]");

	private HelmChart() {
	}

	/** Renders with the chart's own values plus, when given, one values file. */
	static Rendered render(@Nullable Path valuesFile) {
		return render(DIRECTORY, valuesFile, Map.of());
	}

	static Rendered render(Path chart, @Nullable Path valuesFile, Map<String, Object> values) {
		return render(chart, valuesFile, values, KUBE_VERSION);
	}

	static Rendered render(Path chart, @Nullable Path valuesFile, Map<String, Object> values, String kubeVersion) {
		TemplateCommand template = new Helm(chart).template()
			.withName(RELEASE)
			.withNamespace(NAMESPACE)
			.withKubeVersion(kubeVersion);
		if (valuesFile != null) {
			template = template.withValuesFile(valuesFile);
		}
		if (!values.isEmpty()) {
			template = template.withValuesFile(writeValues(values));
		}
		String manifest = template.call();
		List<Map<String, Object>> documents = new ArrayList<>();
		for (Object document : new Yaml().loadAll(manifest)) {
			if (document != null) {
				documents.add(asMap(document));
			}
		}
		return new Rendered(documents);
	}

	/**
	 * Renders a copy of the chart whose {@code helm test} hook annotation is removed, so that
	 * the test pod, which {@code helm template} leaves out as a hook, is part of the manifest.
	 */
	static Rendered renderWithTestPod(Path copy, @Nullable Path valuesFile, Map<String, Object> values) {
		try {
			FileSystemUtils.copyRecursively(DIRECTORY, copy);
			Path template = copy.resolve(TEST_POD_TEMPLATE);
			String withHook = Files.readString(template);
			if (!withHook.contains(TEST_HOOK)) {
				throw new AssertionError(TEST_POD_TEMPLATE + " is no longer a helm test hook");
			}
			Files.writeString(template, withHook.replace(TEST_HOOK, ""));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return render(copy, valuesFile, values);
	}

	/** A values file from the chart's {@code ci/} directory (the chart-testing value sets). */
	static Path ciValues(String name) {
		return DIRECTORY.resolve("ci").resolve(name);
	}

	static Path writeValues(Map<String, Object> values) {
		try {
			Path file = Files.createTempFile("values-", ".yaml");
			file.toFile().deleteOnExit();
			Files.writeString(file, new Yaml().dump(values), StandardCharsets.UTF_8);
			return file;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Reads a value below {@code node} by a path such as
	 * {@code spec.template.spec.containers[0].image}; null when any part is missing.
	 */
	static @Nullable Object at(@Nullable Object node, String path) {
		Object current = node;
		Matcher matcher = SEGMENT.matcher(path.replace("\\.", "\u0000"));
		while (matcher.find() && current != null) {
			if (matcher.group(1) != null) {
				String key = matcher.group(1).replace('\u0000', '.');
				current = (current instanceof Map<?, ?> map) ? map.get(key) : null;
			}
			else {
				int index = Integer.parseInt(matcher.group(2));
				current = (current instanceof List<?> list && index < list.size()) ? list.get(index) : null;
			}
		}
		return current;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> asMap(@Nullable Object node) {
		return (node instanceof Map<?, ?>) ? (Map<String, Object>) node : Map.of();
	}

	@SuppressWarnings("unchecked")
	static List<Object> asList(@Nullable Object node) {
		return (node instanceof List<?>) ? (List<Object>) node : List.of();
	}

	/** The documents of one rendering. */
	record Rendered(List<Map<String, Object>> documents) {

		List<Map<String, Object>> all(String kind) {
			return this.documents.stream().filter((document) -> kind.equals(document.get("kind"))).toList();
		}

		Map<String, Object> one(String kind) {
			List<Map<String, Object>> found = all(kind);
			if (found.size() != 1) {
				throw new AssertionError("expected one " + kind + " but found " + found.size());
			}
			return found.get(0);
		}

		boolean has(String kind) {
			return !all(kind).isEmpty();
		}

		Map<String, Object> deployment() {
			return one("Deployment");
		}

		Map<String, Object> container() {
			return asMap(at(deployment(), "spec.template.spec.containers[0]"));
		}

		/**
		 * The environment the application container gets from the rendered ConfigMap and
		 * Secret (decoded), as the kubelet would build it from {@code envFrom}.
		 */
		Map<String, String> environment() {
			Map<String, String> environment = new LinkedHashMap<>();
			asMap(one("ConfigMap").get("data"))
				.forEach((name, value) -> environment.put(name, String.valueOf(value)));
			if (has("Secret")) {
				asMap(one("Secret").get("data")).forEach((name, value) -> environment.put(name,
						new String(Base64.getDecoder().decode(String.valueOf(value)), StandardCharsets.UTF_8)));
			}
			asList(container().get("env")).forEach((entry) -> {
				Map<String, Object> variable = asMap(entry);
				if (variable.get("value") != null) {
					environment.put(String.valueOf(variable.get("name")), String.valueOf(variable.get("value")));
				}
			});
			return environment;
		}

		String probePath(String probe) {
			return Objects.toString(at(container(), probe + ".httpGet.path"), null);
		}

		/** The number of the application container's port with this name. */
		int containerPort(String name) {
			return asList(container().get("ports")).stream()
				.filter((port) -> name.equals(at(port, "name")))
				.map((port) -> ((Number) Objects.requireNonNull(at(port, "containerPort"))).intValue())
				.findFirst()
				.orElseThrow(() -> new AssertionError("no container port named " + name));
		}

		/** The container port that a probe calls (probes name their port). */
		int probePort(String probe) {
			return containerPort(String.valueOf(at(container(), probe + ".httpGet.port")));
		}

		/** The number of the Service's port with this name. */
		int servicePort(String name) {
			return asList(at(one("Service"), "spec.ports")).stream()
				.filter((port) -> name.equals(at(port, "name")))
				.map((port) -> ((Number) Objects.requireNonNull(at(port, "port"))).intValue())
				.findFirst()
				.orElseThrow(() -> new AssertionError("the Service has no port named " + name));
		}

		/** The port entry of the Service with this number. */
		Map<String, Object> servicePort(int number) {
			return asList(at(one("Service"), "spec.ports")).stream()
				.map(HelmChart::asMap)
				.filter((port) -> Objects.equals(port.get("port"), number))
				.findFirst()
				.orElseThrow(() -> new AssertionError("the Service has no port " + number));
		}

	}

}
