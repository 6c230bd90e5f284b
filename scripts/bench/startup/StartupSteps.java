import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.metrics.StartupStep;

/**
 * Starts an application class with Spring's BufferingApplicationStartup, which the service
 * itself does not enable (it needs SpringApplication.setApplicationStartup in code), and
 * writes where the start spent its time to the file named by {@code bench.out}: every recorded
 * step with its own time (its duration minus that of the steps nested in it), then exits.
 * Run by scripts/bench/bench.sh profile as a single-file source program on the extracted jar's
 * class path, with {@code bench.application} naming the application class; not part of the product.
 * <p>
 * Output, tab-separated: self ms, total ms, step name, tags (bean name and type, ...); the first
 * line, starting with #, gives the time SpringApplication.run took.
 */
public class StartupSteps {

	public static void main(String[] args) throws Exception {
		Class<?> application = Class.forName(System.getProperty("bench.application"));
		SpringApplication spring = new SpringApplication(application);
		BufferingApplicationStartup startup = new BufferingApplicationStartup(100_000);
		spring.setApplicationStartup(startup);
		long started = System.nanoTime();
		ConfigurableApplicationContext context = spring.run(args);
		long ready = System.nanoTime();
		List<StartupTimeline.TimelineEvent> events = startup.getBufferedTimeline().getEvents();
		Map<Long, Long> nested = new HashMap<>();
		for (StartupTimeline.TimelineEvent event : events) {
			Long parent = event.getStartupStep().getParentId();
			if (parent != null) {
				nested.merge(parent, event.getDuration().toNanos(), Long::sum);
			}
		}
		List<String> lines = new ArrayList<>();
		for (StartupTimeline.TimelineEvent event : events) {
			StartupStep step = event.getStartupStep();
			long total = event.getDuration().toNanos();
			long self = total - nested.getOrDefault(step.getId(), 0L);
			StringBuilder tags = new StringBuilder();
			for (StartupStep.Tag tag : step.getTags()) {
				tags.append(tags.isEmpty() ? "" : " ").append(tag.getKey()).append('=').append(tag.getValue());
			}
			lines.add(String.format("%.3f\t%.3f\t%s\t%s", self / 1e6, total / 1e6, step.getName(),
					tags.toString().replaceAll("[\t\n]", " ")));
		}
		lines.add(0, "# run() took " + (ready - started) / 1_000_000 + " ms; " + events.size() + " steps");
		Files.write(Path.of(System.getProperty("bench.out")), lines);
		context.close();
		System.exit(0);
	}

}
