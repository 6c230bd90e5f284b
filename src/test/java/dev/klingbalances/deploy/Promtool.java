package dev.klingbalances.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Prometheus' {@code promtool} (Debian: {@code apt-get install prometheus}), run as a process.
 * Without it a test is skipped with a message on a developer machine and fails in CI
 * ({@code CI=true}), like the browser and container tests.
 */
final class Promtool {

	private final Path executable;

	private Promtool(Path executable) {
		this.executable = executable;
	}

	/** The promtool on the PATH (or in {@code $PROMTOOL}); skips or fails the test without one. */
	static Promtool require() {
		String configured = System.getenv("PROMTOOL");
		List<Path> candidates = new ArrayList<>();
		if (configured != null && !configured.isBlank()) {
			candidates.add(Path.of(configured));
		}
		for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (!directory.isBlank()) {
				candidates.add(Path.of(directory, "promtool"));
			}
		}
		for (Path candidate : candidates) {
			if (Files.isExecutable(candidate)) {
				return new Promtool(candidate);
			}
		}
		String message = "promtool is needed on the PATH or in $PROMTOOL (Debian: apt-get install prometheus)";
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			fail(message + "; CI must have it (.ci/run installs it)");
		}
		Assumptions.abort(message + "; skipped outside CI");
		throw new IllegalStateException("unreachable");
	}

	/** Runs {@code promtool args...} in {@code directory}; returns the exit code and the output. */
	Result run(Path directory, String... args) {
		List<String> command = new ArrayList<>();
		command.add(this.executable.toString());
		command.addAll(List.of(args));
		try {
			Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
			process.getOutputStream().close();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(2, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				fail("promtool did not finish within 2 minutes: " + command);
			}
			return new Result(process.exitValue(), output);
		}
		catch (IOException ex) {
			throw new IllegalStateException("could not run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Writes a Prometheus rule file ({@code groups: [...]}). */
	static Path writeRuleFile(Path file, List<Object> groups) {
		DumperOptions options = new DumperOptions();
		options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
		options.setWidth(4096);
		try {
			Files.writeString(file, new Yaml(options).dump(Map.of("groups", groups)), StandardCharsets.UTF_8);
			return file;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** How promtool ended. */
	record Result(int exitCode, String output) {

		boolean succeeded() {
			return this.exitCode == 0;
		}

	}

}
