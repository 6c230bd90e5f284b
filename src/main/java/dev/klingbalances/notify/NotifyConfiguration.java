package dev.klingbalances.notify;

import java.time.Clock;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.cache.Leadership;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/** Webhook notifications: off (nothing evaluated, nothing sent) until a webhook is configured. */
@Configuration(proxyBeanMethods = false)
class NotifyConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(NotifyConfiguration.class);

	/** Sends the outbox's notices from the replica that leads. */
	@Bean
	WebhookSender webhookSender(NotifyProperties properties, NotificationStateStore store, Leadership leadership,
			JsonMapper jsonMapper, Clock clock, MeterRegistry meterRegistry) {
		return new WebhookSender(properties, store, leadership, jsonMapper, clock, meterRegistry);
	}

	@Bean
	NotificationService notificationService(BalanceService balances, BalancesProperties balancesProperties,
			NotifyProperties properties, NotificationStateStore store, WebhookSender sender, Clock clock) {
		ConditionEvaluator evaluator = new ConditionEvaluator(balancesProperties, properties.hysteresis(), store);
		return new NotificationService(balances, properties, evaluator, store, sender, clock);
	}

	/**
	 * Once the service is ready, when there is a webhook: evaluate every sweep interval, and look
	 * for notices due every outbox check interval.
	 */
	@Bean
	ApplicationListener<ApplicationReadyEvent> notificationsStartup(NotificationService service, WebhookSender sender,
			NotifyProperties properties, BalancesProperties balancesProperties, TaskScheduler taskScheduler) {
		return (event) -> {
			if (!service.enabled()) {
				logger.debug("No webhook configured (balances.notify.webhooks): notifications are off");
				return;
			}
			properties.webhooks()
				.forEach((webhook) -> logger.info("Notifications go to webhook '{}' ({}, host {}, {})", webhook.name(),
						webhook.format(), webhook.host(),
						webhook.types().isEmpty() ? "every event type" : "types " + webhook.types()));
			properties.webhooks()
				.stream()
				.filter((webhook) -> "http".equalsIgnoreCase(webhook.uri().getScheme())
						&& !isLoopback(webhook.host()))
				.forEach((webhook) -> logger.warn("Webhook '{}' uses plain http to host {}: events travel unencrypted",
						webhook.name(), webhook.host()));
			taskScheduler.scheduleWithFixedDelay(service::evaluateSafely, balancesProperties.cache().sweepInterval());
			taskScheduler.scheduleWithFixedDelay(sender::deliverDue, properties.outboxCheckInterval());
		};
	}

	private static boolean isLoopback(String host) {
		return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
	}

}
