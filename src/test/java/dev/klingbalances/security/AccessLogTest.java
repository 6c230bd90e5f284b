package dev.klingbalances.security;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The access log writes off the request thread, drops (and counts) rather than blocks, loses no queued line. */
class AccessLogTest {

	private final Logger accessLogger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER_NAME);

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	private final SimpleMeterRegistry meterRegistry = new SimpleMeterRegistry();

	private Level previousLevel;

	private AccessLog accessLog;

	@BeforeEach
	void attachAppender() {
		this.previousLevel = this.accessLogger.getLevel();
		this.accessLogger.setLevel(Level.INFO);
		this.appender.start();
		this.accessLogger.addAppender(this.appender);
	}

	@AfterEach
	void detachAppender() {
		if (this.accessLog != null) {
			this.accessLog.stop();
		}
		this.accessLogger.detachAppender(this.appender);
		this.accessLogger.setLevel(this.previousLevel);
	}

	@Test
	void dropsAndCountsLinesBeyondTheQueueInsteadOfBlocking() {
		this.accessLog = new AccessLog(new AccessLogProperties(2), this.meterRegistry);

		// Not started: nothing drains, so the queue holds two lines and the third is dropped.
		this.accessLog.write(false, "GET /access-log-test 200 consumer=a 1ms");
		this.accessLog.write(false, "GET /access-log-test 200 consumer=b 1ms");
		this.accessLog.write(false, "GET /access-log-test 200 consumer=c 1ms");

		assertThat(this.meterRegistry.get("balances.access.log.dropped").counter().count()).isEqualTo(1);
		assertThat(written()).as("nothing is written on the request thread").isEmpty();
		this.accessLog.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> written().size() == 2);
		assertThat(written()).extracting(ILoggingEvent::getFormattedMessage)
			.containsExactly("GET /access-log-test 200 consumer=a 1ms", "GET /access-log-test 200 consumer=b 1ms");
	}

	@Test
	void writesWithTheRequestsTimeThreadAndMdc() throws Exception {
		this.accessLog = new AccessLog(new AccessLogProperties(16), this.meterRegistry);
		long[] loggedBy = new long[1];
		CompletableFuture.runAsync(() -> {
			Thread.currentThread().setName("http-nio-8080-exec-7");
			MDC.put("requestId", "0b4c7d2e");
			try {
				this.accessLog.write(false, "GET /access-log-test 200 consumer=alice 2ms");
				loggedBy[0] = System.currentTimeMillis();
			}
			finally {
				MDC.clear();
			}
		}).get();
		// The writer starts only once the clock has moved on: its own time would be later.
		await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > loggedBy[0]);
		this.accessLog.start();

		await().atMost(Duration.ofSeconds(5)).until(() -> written().size() == 1);
		ILoggingEvent event = written().get(0);
		assertThat(event.getTimeStamp()).isLessThanOrEqualTo(loggedBy[0]);
		assertThat(event.getThreadName()).isEqualTo("http-nio-8080-exec-7");
		assertThat(event.getMDCPropertyMap()).containsEntry("requestId", "0b4c7d2e");
		assertThat(event.getLevel()).isEqualTo(Level.INFO);
		assertThat(event.getLoggerName()).isEqualTo(AccessLog.LOGGER_NAME);
	}

	@Test
	void writesProbesAtDebugOnlyWhenDebugIsOn() {
		this.accessLog = new AccessLog(new AccessLogProperties(16), this.meterRegistry);

		assertThat(this.accessLog.isEnabled(true)).isFalse();
		assertThat(this.accessLog.isEnabled(false)).isTrue();
		this.accessLogger.setLevel(Level.DEBUG);
		assertThat(this.accessLog.isEnabled(true)).isTrue();
		this.accessLog.write(true, "GET /access-log-test/health 200 consumer=- 0ms");
		this.accessLog.stop();
		assertThat(written()).singleElement()
			.satisfies((event) -> assertThat(event.getLevel()).isEqualTo(Level.DEBUG));
	}

	@Test
	void stopWritesEveryQueuedLine() {
		this.accessLog = new AccessLog(new AccessLogProperties(16), this.meterRegistry);
		this.accessLog.start();
		List<String> lines = List.of("GET /access-log-test 200 consumer=a 1ms", "GET /access-log-test 304 consumer=a 0ms",
				"GET /access-log-test 429 consumer=a 0ms");
		lines.forEach((line) -> this.accessLog.write(false, line));

		this.accessLog.stop();

		assertThat(written()).extracting(ILoggingEvent::getFormattedMessage).containsExactlyElementsOf(lines);
		assertThat(this.accessLog.isRunning()).isFalse();
	}

	/**
	 * The lines these tests wrote: other test classes' applications in this JVM (cached contexts)
	 * may write their own access lines to the same logger meanwhile.
	 */
	private List<ILoggingEvent> written() {
		// AppenderBase.doAppend holds the appender's lock while it adds to the list.
		synchronized (this.appender) {
			return this.appender.list.stream()
				.filter((event) -> event.getFormattedMessage().startsWith("GET /access-log-test"))
				.toList();
		}
	}

	@Test
	void refusesAQueueOfNothing() {
		assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new AccessLogProperties(0)))
			.hasMessageContaining("balances.access-log.queue-capacity");
	}

}
