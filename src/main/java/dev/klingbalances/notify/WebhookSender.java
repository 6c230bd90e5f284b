package dev.klingbalances.notify;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.cache.Leadership;
import dev.klingbalances.notify.NotificationOutbox.Notice;
import dev.klingbalances.notify.NotifyProperties.Format;
import dev.klingbalances.notify.NotifyProperties.Webhook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivers the {@link NotificationOutbox}'s notices, never on the caller's thread: each webhook
 * has one worker, so a slow or dead receiver delays only its own notices. Only the replica that
 * leads ({@link Leadership}) sends; every replica reports how many wait. A webhook's notices go
 * out oldest first, one at a time (a RESOLVED never overtakes its FIRING); a notice leaves the
 * outbox after a 2xx, after an answer another attempt cannot fix (a 4xx other than 408 and 429),
 * or once it is older than {@code balances.notify.give-up-after}. After a failed attempt (no
 * answer, a timeout, 408, 429, 5xx) the next waits {@code retry-wait}, doubling up to
 * {@code max-retry-wait}: the times are the {@link Clock}'s, and the attempts made are kept
 * with the notice, so a restart or another replica carries on where this one stopped.
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

	private final NotificationOutbox outbox;

	private final Leadership leadership;

	private final JsonMapper jsonMapper;

	private final Clock clock;

	private final MeterRegistry meterRegistry;

	/** Only with a webhook: the JDK's client loads ~400 classes and starts a selector thread. */
	private final @Nullable HttpClient http;

	WebhookSender(NotifyProperties properties, NotificationOutbox outbox, Leadership leadership, JsonMapper jsonMapper,
			Clock clock, MeterRegistry meterRegistry) {
		this.properties = properties;
		this.outbox = outbox;
		this.leadership = leadership;
		this.jsonMapper = jsonMapper;
		this.clock = clock;
		this.meterRegistry = meterRegistry;
		this.http = properties.webhooks().isEmpty() ? null
				: HttpClient.newBuilder()
					.connectTimeout(properties.connectTimeout())
					.followRedirects(HttpClient.Redirect.NEVER)
					.version(HttpClient.Version.HTTP_1_1)
					.build();
		for (Webhook webhook : properties.webhooks()) {
			Channel channel = new Channel(webhook);
			this.channels.put(webhook.name(), channel);
			Gauge.builder("balances.notify.pending", channel.pending, AtomicInteger::get)
				.description("Notifications waiting in the outbox (or in delivery), per webhook")
				.tag("webhook", webhook.name())
				.register(meterRegistry);
		}
	}

	/**
	 * Reads how many notices wait per webhook and, on the leader, starts a delivery pass for
	 * each webhook that has some and whose worker is idle. Returns at once. Called after every
	 * evaluation and every {@code balances.notify.outbox-check-interval}.
	 */
	void deliverDue() {
		boolean leader = this.leadership.isLeader();
		for (Channel channel : this.channels.values()) {
			String name = channel.webhook.name();
			try {
				channel.pending.set(this.outbox.size(name));
			}
			catch (RuntimeException ex) {
				// The store is unavailable: its monitor reports that; the next check tries again.
				logger.debug("Outbox of webhook '{}' not readable now: {}", name, ex.getClass().getSimpleName());
				continue;
			}
			if (leader && channel.pending.get() > 0 && channel.busy.compareAndSet(false, true)) {
				try {
					channel.executor.execute(() -> {
						try {
							pass(channel);
						}
						finally {
							channel.busy.set(false);
						}
					});
				}
				catch (RejectedExecutionException ex) {
					channel.busy.set(false);
				}
			}
		}
	}

	/** Notices waiting, over every webhook, as last read. */
	int pending() {
		return this.channels.values().stream().mapToInt((channel) -> channel.pending.get()).sum();
	}

	/** No delivery pass running. */
	boolean idle() {
		return this.channels.values().stream().noneMatch((channel) -> channel.busy.get());
	}

	/** Sends the webhook's notices that are due, oldest first, until one has to wait. */
	private void pass(Channel channel) {
		String name = channel.webhook.name();
		try {
			while (!Thread.currentThread().isInterrupted() && this.leadership.isLeader()) {
				Notice notice = this.outbox.next(name);
				if (notice == null) {
					break;
				}
				Instant now = this.clock.instant();
				if (!now.isBefore(notice.event().occurredAt().plus(this.properties.giveUpAfter()))) {
					expire(channel.webhook, notice);
					continue;
				}
				if (notice.notBefore().isAfter(now) || !deliver(channel.webhook, notice)) {
					break;
				}
			}
			channel.pending.set(this.outbox.size(name));
		}
		catch (RuntimeException ex) {
			// The store is unavailable (or the notice unreadable): nothing is lost, the next check tries again.
			logger.warn("Delivering the notifications of webhook '{}' stopped: {}; trying again at the next check", name,
					ex.getClass().getSimpleName());
		}
	}

	/**
	 * One attempt at the oldest notice.
	 * @return true when the notice left the outbox (sent, or refused), so the next may follow
	 */
	private boolean deliver(Webhook webhook, Notice notice) {
		NotificationEvent event = notice.event();
		int attempt = notice.attempts() + 1;
		try {
			attempt(webhook, event, body(webhook, event), attempt);
		}
		catch (DeliveryFailure failure) {
			if (Thread.currentThread().isInterrupted()) {
				// Shutting down: the notice stays as it is, for the next leader.
				return false;
			}
			if (failure.retryable()) {
				Duration wait = retryWait(attempt);
				this.outbox.postpone(webhook.name(), notice, notice.failed(this.clock.instant(), wait, failure.getMessage()));
				if (attempt == 1) {
					logger.warn("Notification {} {} for {} to webhook '{}' (event {}) not delivered: {}; trying again"
							+ " with growing waits for up to {}", event.type(), event.state(), subject(event),
							webhook.name(), event.id(), failure.getMessage(), this.properties.giveUpAfter());
				}
				return false;
			}
			this.outbox.remove(webhook.name(), notice);
			count(webhook, event, "failed");
			logger.warn("Gave up notification {} {} for {} to webhook '{}' (event {}) after {} attempt(s): {}"
					+ " (refused; another attempt would not change that)", event.type(), event.state(), subject(event),
					webhook.name(), event.id(), attempt, failure.getMessage());
			return true;
		}
		this.outbox.remove(webhook.name(), notice);
		count(webhook, event, "sent");
		logger.info("Sent notification {} {} for {} to webhook '{}' (event {}, attempt {})", event.type(), event.state(),
				subject(event), webhook.name(), event.id(), attempt);
		return true;
	}

	private void expire(Webhook webhook, Notice notice) {
		NotificationEvent event = notice.event();
		if (this.outbox.remove(webhook.name(), notice)) {
			count(webhook, event, "expired");
			logger.warn("Gave up notification {} {} for {} to webhook '{}' (event {}) after {} attempt(s): not delivered"
					+ " within {} (balances.notify.give-up-after); last failure: {}", event.type(), event.state(),
					subject(event), webhook.name(), event.id(), notice.attempts(), this.properties.giveUpAfter(),
					(notice.lastFailure() != null) ? notice.lastFailure() : "none (never attempted)");
		}
	}

	/** {@code retry-wait} after the first failed attempt, doubled after each further one, at most {@code max-retry-wait}. */
	Duration retryWait(int failedAttempts) {
		Duration wait = this.properties.retryWait().multipliedBy(1L << Math.min(failedAttempts - 1, 30));
		return (wait.compareTo(this.properties.maxRetryWait()) > 0) ? this.properties.maxRetryWait() : wait;
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
			// Never null here: a delivery belongs to a configured webhook's channel.
			status = Objects.requireNonNull(this.http).send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			// The exception's message may name the URL: only its class is reported.
			logger.debug("Notification {} to webhook '{}', attempt {}: {}", event.id(), webhook.name(), attempt,
					ex.getClass().getSimpleName());
			throw new DeliveryFailure("no answer (" + ex.getClass().getSimpleName() + ")", true);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new DeliveryFailure("interrupted (shutting down)", true);
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
			.description("Webhook notifications by outcome: sent (2xx), failed (refused by the receiver) or expired"
					+ " (not delivered within give-up-after)")
			.tags("webhook", webhook.name(), "type", event.type().name(), "outcome", outcome)
			.register(this.meterRegistry)
			.increment();
	}

	private static String subject(NotificationEvent event) {
		return event.provider() + ((event.account() != null) ? "/" + event.account() : "");
	}

	/** Stops the workers; an attempt in flight is abandoned, and its notice stays in the outbox. */
	@Override
	public void close() {
		for (Channel channel : this.channels.values()) {
			channel.executor.shutdownNow();
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

	/** One webhook's worker, whether a pass runs on it, and how many notices wait. */
	private static final class Channel {

		private final Webhook webhook;

		private final ThreadPoolExecutor executor;

		private final AtomicBoolean busy = new AtomicBoolean();

		private final AtomicInteger pending = new AtomicInteger();

		Channel(Webhook webhook) {
			this.webhook = webhook;
			// One pass at a time (busy guards it): a queue of one is enough.
			this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1),
					(runnable) -> {
						Thread thread = new Thread(runnable, "notify-" + webhook.name());
						thread.setDaemon(true);
						return thread;
					}, new ThreadPoolExecutor.AbortPolicy());
		}

	}

}
