package dev.klingbalances.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.cache.Leadership;
import dev.klingbalances.notify.NotificationEvent.State;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import static org.awaitility.Awaitility.await;

/**
 * For tests of other packages (the Redis store's): events as the notification service makes
 * them, and one replica's delivery of an outbox to one signed json webhook.
 */
public final class Notices {

	/** The signing secret of {@link #delivery}'s webhook. */
	public static final String SECRET = NotifyFixture.SECRET;

	private Notices() {
	}

	/** A new event of the condition, as an evaluation at {@code at} makes it. */
	public static NotificationEvent event(ConditionKey condition, State state, Instant at) {
		return NotificationService.event(condition, state, "units", condition.subject() + " " + state,
				NotificationEvent.Figures.NONE, at);
	}

	/**
	 * One replica's sender of the outbox to a json webhook named {@code webhook} at {@code url}:
	 * retry waits from {@code retryWait} (doubling), given up after a day.
	 */
	public static Delivery delivery(NotificationOutbox outbox, Leadership leadership, Clock clock, String webhook,
			String url, Duration retryWait) {
		NotifyProperties properties = NotifyFixture.notifyProperties("balances.notify.webhooks[0].name=" + webhook,
				"balances.notify.webhooks[0].url=" + url, "balances.notify.webhooks[0].secret=" + SECRET,
				"balances.notify.retry-wait=" + retryWait.toMillis() + "ms");
		return new Delivery(new WebhookSender(properties, outbox, leadership, TestSettings.jsonMapper(), clock,
				new SimpleMeterRegistry()));
	}

	/** A replica's delivery: checks as its schedule does, and stops as the replica does. */
	public static final class Delivery implements AutoCloseable {

		private final WebhookSender sender;

		private Delivery(WebhookSender sender) {
			this.sender = sender;
		}

		/** One check of the outbox (what the schedule runs every outbox-check-interval); returns at once. */
		public void check() {
			this.sender.deliverDue();
		}

		/** Waits until no delivery pass runs. */
		public void awaitIdle() {
			await().atMost(Duration.ofSeconds(20)).until(this.sender::idle);
		}

		/** Stops the sender as a stopping replica does: an attempt in flight is abandoned. */
		@Override
		public void close() {
			this.sender.close();
		}

	}

}
