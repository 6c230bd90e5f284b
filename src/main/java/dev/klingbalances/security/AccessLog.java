package dev.klingbalances.security;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.context.SmartLifecycle;

/**
 * Writes the access lines on a thread of its own, so a request never waits for the log's
 * appenders (their lock and their I/O were the largest source of latency under load). A line
 * is queued with what the request thread knew when it was logged: its time, thread name and
 * MDC (request id, consumer), so Boot's plain and structured formats render it as if it had
 * been written synchronously. When the bounded queue is full the line is dropped and counted
 * ({@code balances_access_log_dropped_total}); a request never blocks on the log.
 * <p>
 * Stopped after the web server (lowest phase), draining what is queued.
 */
final class AccessLog implements SmartLifecycle {

	/** The logger of the access lines; its level decides what is queued at all. */
	static final String LOGGER_NAME = "dev.klingbalances.access";

	private static final Logger logger = LoggerFactory.getLogger(LOGGER_NAME);

	private static final Logger ownLogger = LoggerFactory.getLogger(AccessLog.class);

	private final BlockingQueue<Line> queue;

	private final Counter dropped;

	private volatile @Nullable Thread writer;

	private volatile boolean running;

	AccessLog(AccessLogProperties properties, MeterRegistry meterRegistry) {
		this.queue = new ArrayBlockingQueue<>(properties.queueCapacity());
		this.dropped = Counter.builder("balances.access.log.dropped")
			.description("Access lines dropped because the access log's queue was full")
			.register(meterRegistry);
	}

	/** Whether a line of this kind would be written at all (health probes log at DEBUG). */
	boolean isEnabled(boolean debug) {
		return debug ? logger.isDebugEnabled() : logger.isInfoEnabled();
	}

	/** Queues a line; drops and counts it when the queue is full. Never blocks. */
	void write(boolean debug, String text) {
		Line line = new Line(debug, text, System.currentTimeMillis(), Thread.currentThread().getName(),
				MDC.getCopyOfContextMap());
		if (!this.queue.offer(line)) {
			this.dropped.increment();
		}
	}

	@Override
	public void start() {
		Thread thread = new Thread(this::drain, "access-log");
		thread.setDaemon(true);
		this.running = true;
		this.writer = thread;
		thread.start();
	}

	@Override
	public void stop() {
		this.running = false;
		Thread thread = this.writer;
		if (thread != null) {
			thread.interrupt();
			try {
				thread.join(TimeUnit.SECONDS.toMillis(5));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		// Whatever the writer left (it was interrupted mid-wait, or never started) goes out now.
		Line line;
		while ((line = this.queue.poll()) != null) {
			append(line);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Starts before and stops after the web server, so every request's line is written. */
	@Override
	public int getPhase() {
		return Integer.MIN_VALUE + 1000;
	}

	private void drain() {
		while (this.running) {
			try {
				append(this.queue.take());
			}
			catch (InterruptedException ex) {
				return;
			}
			catch (RuntimeException ex) {
				ownLogger.warn("Could not write an access line: {}", ex.toString());
			}
		}
	}

	private static void append(Line line) {
		if (logger instanceof ch.qos.logback.classic.Logger logback) {
			// The request's own time, thread and MDC, not the writer's.
			LoggingEvent event = new LoggingEvent(AccessLog.class.getName(), logback,
					line.debug() ? Level.DEBUG : Level.INFO, line.text(), null, null);
			event.setInstant(Instant.ofEpochMilli(line.timestamp()));
			event.setThreadName(line.thread());
			event.setMDCPropertyMap((line.mdc() != null) ? line.mdc() : Map.of());
			logback.callAppenders(event);
		}
		else {
			// Another logging system: the line is written with the writer's time and thread.
			if (line.mdc() != null) {
				MDC.setContextMap(line.mdc());
			}
			try {
				if (line.debug()) {
					logger.debug(line.text());
				}
				else {
					logger.info(line.text());
				}
			}
			finally {
				MDC.clear();
			}
		}
	}

	private record Line(boolean debug, String text, long timestamp, String thread,
			@Nullable Map<String, String> mdc) {
	}

}
