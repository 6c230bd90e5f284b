package dev.klingbalances.notify;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.notify.NotifyProperties.Format;
import dev.klingbalances.notify.NotifyProperties.Webhook;
import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivers notifications, never on the caller's thread: each webhook has one worker and a
 * bounded queue ({@code balances.notify.queue-capacity}), so a slow or dead receiver delays
 * only its own notifications, and holds at most that many in memory; beyond it a notification
 * is dropped with a warning and counted. Deliveries to one webhook keep their order (a RESOLVED
 * never overtakes its FIRING). Each one is retried per the Resilience4j retry {@code notify}.
 * <p>
 * Uses the JDK's {@link HttpClient}: blocking calls on the webhook's own worker, with its own
 * connections, so nothing is shared with the upstream clients' event loops and pools; redirects
 * are not followed (a webhook URL that redirects is a configuration error, and following it
 * would send the signed event elsewhere).
 */
final class WebhookSender implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(WebhookSender.class);

	static final String METRIC = "balances.notify.notifications";

	private final Map<String, Channel> channels = new LinkedHashMap<>();

	private final NotifyProperties properties;

	private final Retry retry;

	private final JsonMapper jsonMapper;

	private final Clock clock;

	private final MeterRegistry meterRegistry;

	private final HttpClient http;

	WebhookSender(NotifyProperties properties, Retry retry, JsonMapper jsonMapper, Clock clock,
			MeterRegistry meterRegistry) {
		this.properties = properties;
		this.retry = retry;
		this.jsonMapper = jsonMapper;
		this.clock = clock;
		this.meterRegistry = meterRegistry;
		this.http = HttpClient.newBuilder()
			.connectTimeout(properties.connectTimeout())
			.followRedirects(HttpClient.Redirect.NEVER)
			.version(HttpClient.Version.HTTP_1_1)
			.build();
		for (Webhook webhook : properties.webhooks()) {
			Channel channel = new Channel(webhook, properties.queueCapacity());
			this.channels.put(webhook.name(), channel);
			Gauge.builder("balances.notify.pending", channel.pending, AtomicInteger::get)
				.description("Notifications waiting for or in delivery, per webhook")
				.tag("webhook", webhook.name())
				.register(meterRegistry);
		}
	}

	/**
	 * Queues the event for the webhook and returns at once.
	 * @return false when the webhook's queue is full and the event was dropped
	 */
	boolean send(Webhook webhook, NotificationEvent event) {
		Channel channel = this.channels.get(webhook.name());
		channel.pending.incrementAndGet();
		try {
			channel.executor.execute(() -> {
				try {
					deliver(webhook, event);
				}
				finally {
					channel.pending.decrementAndGet();
				}
			});
			return true;
		}
		catch (RejectedExecutionException ex) {
			channel.pending.decrementAndGet();
			count(webhook, event, "dropped");
			logger.warn("Dropped notification {} {} for {} (event {}): the queue of webhook '{}' is full ({}) or closed",
					event.type(), event.state(), subject(event), event.id(), webhook.name(),
					this.properties.queueCapacity());
			return false;
		}
	}

	/** Notifications queued or in delivery, over every webhook. */
	int pending() {
		return this.channels.values().stream().mapToInt((channel) -> channel.pending.get()).sum();
	}

	private void deliver(Webhook webhook, NotificationEvent event) {
		byte[] body = body(webhook, event);
		AtomicInteger attempts = new AtomicInteger();
		try {
			this.retry.executeRunnable(() -> attempt(webhook, event, body, attempts.incrementAndGet()));
			count(webhook, event, "sent");
			logger.info("Sent notification {} {} for {} to webhook '{}' (event {}, attempt {})", event.type(),
					event.state(), subject(event), webhook.name(), event.id(), attempts.get());
		}
		catch (RuntimeException ex) {
			count(webhook, event, "failed");
			String reason = (ex instanceof DeliveryFailure) ? ex.getMessage() : ex.getClass().getSimpleName();
			logger.warn("Gave up notification {} {} for {} to webhook '{}' (event {}) after {} attempt(s): {}",
					event.type(), event.state(), subject(event), webhook.name(), event.id(), attempts.get(), reason);
		}
	}

	private void attempt(Webhook webhook, NotificationEvent event, byte[] body, int attempt) {
		HttpRequest.Builder request = HttpRequest.newBuilder(webhook.uri())
			.timeout(this.properties.timeout())
			.header("Content-Type", "application/json")
			.header("User-Agent", "kling-balances")
			.header("X-Kling-Balances-Event", event.type().name())
			.header("X-Kling-Balances-Event-Id", event.id())
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		if (webhook.secret() != null) {
			// Signed per attempt: a retry after a long backoff still passes the receiver's replay window.
			long timestamp = this.clock.instant().getEpochSecond();
			request.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
				.header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(webhook.secret(), timestamp, body));
		}
		int status;
		try {
			status = this.http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			// The exception's message may name the URL: only its class is reported.
			logger.debug("Notification {} to webhook '{}', attempt {}: {}", event.id(), webhook.name(), attempt,
					ex.getClass().getSimpleName());
			throw new DeliveryFailure("no answer (" + ex.getClass().getSimpleName() + ")", true);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new DeliveryFailure("interrupted (shutting down)", false);
		}
		logger.debug("Notification {} to webhook '{}', attempt {}: HTTP {}", event.id(), webhook.name(), attempt, status);
		if (status / 100 == 2) {
			return;
		}
		boolean retryable = status == 408 || status == 429 || status / 100 == 5;
		throw new DeliveryFailure("HTTP " + status, retryable);
	}

	private byte[] body(Webhook webhook, NotificationEvent event) {
		if (webhook.format() == Format.SLACK) {
			return this.jsonMapper.writeValueAsBytes(Map.of("text", slackText(event)));
		}
		return this.jsonMapper.writeValueAsBytes(event);
	}

	/** One readable line; Slack wants {@code & < >} escaped in text. */
	static String slackText(NotificationEvent event) {
		String icon = (event.state() == NotificationEvent.State.FIRING) ? ":rotating_light:" : ":white_check_mark:";
		String line = icon + " *" + event.state() + "* " + event.type() + ": " + event.summary();
		return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private void count(Webhook webhook, NotificationEvent event, String outcome) {
		Counter.builder(METRIC)
			.description("Webhook notifications by outcome: sent, failed (gave up after retries) or dropped (queue full)")
			.tags("webhook", webhook.name(), "type", event.type().name(), "outcome", outcome)
			.register(this.meterRegistry)
			.increment();
	}

	private static String subject(NotificationEvent event) {
		return event.provider() + ((event.account() != null) ? "/" + event.account() : "");
	}

	/** Stops the workers; what is still queued is not delivered (and says so). */
	@Override
	public void close() {
		for (Channel channel : this.channels.values()) {
			List<Runnable> left = channel.executor.shutdownNow();
			if (!left.isEmpty()) {
				logger.warn("{} notification(s) to webhook '{}' not delivered: shutting down", left.size(),
						channel.webhook.name());
			}
		}
		for (Channel channel : this.channels.values()) {
			try {
				channel.executor.awaitTermination(this.properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/** One webhook's worker, queue and count of what is queued or in delivery. */
	private static final class Channel {

		private final Webhook webhook;

		private final ThreadPoolExecutor executor;

		private final AtomicInteger pending = new AtomicInteger();

		Channel(Webhook webhook, int queueCapacity) {
			this.webhook = webhook;
			this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
					new ArrayBlockingQueue<>(queueCapacity), (runnable) -> {
						Thread thread = new Thread(runnable, "notify-" + webhook.name());
						thread.setDaemon(true);
						return thread;
					}, new ThreadPoolExecutor.AbortPolicy());
		}

	}

}
