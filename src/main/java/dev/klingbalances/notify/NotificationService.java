package dev.klingbalances.notify;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ProviderError;
import dev.klingbalances.model.Sha256;
import dev.klingbalances.notify.ConditionEvaluator.Observation;
import dev.klingbalances.notify.ConditionEvaluator.Verdict;
import dev.klingbalances.notify.NotificationEvent.Figures;
import dev.klingbalances.notify.NotificationEvent.Scope;
import dev.klingbalances.notify.NotificationEvent.State;
import dev.klingbalances.notify.NotificationStateStore.Mark;
import dev.klingbalances.notify.NotifyProperties.Webhook;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the alert conditions into notifications: on every evaluation (scheduled every
 * {@code balances.cache.sweep-interval}) it reads the current all-providers view without
 * fetching anything, evaluates every condition, and for each webhook sends FIRING for a
 * condition that holds and was not firing, RESOLVED for one that is clear and was. The
 * {@link NotificationStateStore} decides who queues, so each transition is queued once, with
 * its notice, in its outbox. Delivery is the {@link WebhookSender}'s: evaluation never waits
 * for a receiver, and a notice leaves the outbox only once delivered (or given up).
 */
final class NotificationService {

	private static final Logger logger = LoggerFactory.getLogger(NotificationService.class);

	private final BalanceService balances;

	private final NotifyProperties properties;

	private final ConditionEvaluator evaluator;

	private final NotificationStateStore store;

	private final WebhookSender sender;

	private final Clock clock;

	/** Webhooks whose full outbox was warned about, until a notice fits again. */
	private final Set<String> fullOutboxes = new HashSet<>();

	/** {@code provider/account} of every account in the view at the previous evaluation. */
	private Set<String> previouslyListed = Set.of();

	NotificationService(BalanceService balances, NotifyProperties properties, ConditionEvaluator evaluator,
			NotificationStateStore store, WebhookSender sender, Clock clock) {
		this.balances = balances;
		this.properties = properties;
		this.evaluator = evaluator;
		this.store = store;
		this.sender = sender;
		this.clock = clock;
	}

	boolean enabled() {
		return !this.properties.webhooks().isEmpty();
	}

	/** The scheduled task: one evaluation; a failure is logged, and the next one runs as usual. */
	void evaluateSafely() {
		try {
			evaluate();
		}
		catch (RuntimeException ex) {
			logger.warn("Evaluating notifications failed; trying again at the next interval", ex);
		}
	}

	/**
	 * Evaluates every condition once, records each transition with its notice in the outbox,
	 * and starts their delivery.
	 * @return the notifications queued, per webhook name
	 */
	synchronized Map<String, List<NotificationEvent>> evaluate() {
		Map<String, List<NotificationEvent>> queued = new LinkedHashMap<>();
		if (!enabled()) {
			return queued;
		}
		int capacity = this.properties.queueCapacity();
		Instant now = this.clock.instant();
		BalancesResponse response = this.balances.view(List.of()).response();
		Map<ConditionKey, Observation> observations = new LinkedHashMap<>();
		this.evaluator.evaluate(response, now).forEach((observation) -> observations.put(observation.key(), observation));
		Set<String> unlisted = response.providerErrors().stream().map(ProviderError::provider).collect(Collectors.toSet());
		Set<String> observed = observations.keySet().stream().map(ConditionKey::provider).collect(Collectors.toSet());
		Set<String> read = response.accounts()
			.stream()
			.filter((account) -> account.fetchedAt() != null)
			.map((account) -> account.provider() + "/" + account.account())
			.collect(Collectors.toSet());
		Set<String> listed = response.accounts()
			.stream()
			.map((account) -> account.provider() + "/" + account.account())
			.collect(Collectors.toSet());
		for (Webhook webhook : this.properties.webhooks()) {
			List<NotificationEvent> events = new ArrayList<>();
			Set<ConditionKey> firing = this.store.firing(webhook.name());
			for (Observation observation : observations.values()) {
				ConditionKey key = observation.key();
				if (!webhook.accepts(key.type())) {
					continue;
				}
				if (observation.verdict() == Verdict.HOLDS && !firing.contains(key)) {
					NotificationEvent event = event(key, State.FIRING, observation.unit(), observation.firing(),
							observation.figures(), now);
					queued(webhook, event, this.store.markFiring(webhook.name(), key, event, capacity), events);
				}
				else if (observation.verdict() == Verdict.CLEAR && firing.contains(key)) {
					NotificationEvent event = event(key, State.RESOLVED, observation.unit(), observation.resolved(),
							observation.figures(), now);
					queued(webhook, event, this.store.markResolved(webhook.name(), key, event, capacity), events);
				}
			}
			for (ConditionKey key : firing) {
				// An account that was listed at the previous evaluation and is no longer (the list itself
				// read fine): its conditions are over. Only seen disappearing: at start-up, before the
				// lists are read, a shared store's firing conditions are not resolved.
				if (observations.containsKey(key) || unlisted.contains(key.provider())) {
					continue;
				}
				String accountKey = key.provider() + "/" + key.account();
				if (key.account() != null && this.previouslyListed.contains(accountKey) && !listed.contains(accountKey)) {
					NotificationEvent event = event(key, State.RESOLVED, null,
							accountKey + " is no longer listed by its provider.", Figures.NONE, now);
					queued(webhook, event, this.store.markResolved(webhook.name(), key, event, capacity), events);
				}
				else if ((key.account() != null) ? read.contains(accountKey) : observed.contains(key.provider())) {
					// Observed no more although its account has figures (or its provider is observed): a
					// product the account no longer holds, or a condition recorded before conditions had
					// products. An account without figures (a first fetch pending) resolves nothing.
					NotificationEvent event = event(key, State.RESOLVED, null,
							key.subject() + ": this condition no longer applies.", Figures.NONE, now);
					queued(webhook, event, this.store.markResolved(webhook.name(), key, event, capacity), events);
				}
			}
			queued.put(webhook.name(), events);
		}
		this.previouslyListed = listed;
		this.sender.deliverDue();
		return queued;
	}

	/** Takes note of what a mark did: the event is queued, was not needed, or must wait for room. */
	private void queued(Webhook webhook, NotificationEvent event, Mark mark, List<NotificationEvent> events) {
		if (mark == Mark.MARKED) {
			this.fullOutboxes.remove(webhook.name());
			events.add(event);
			logger.debug("Notification {} {} for {} queued for webhook '{}' (event {})", event.type(), event.state(),
					key(event), webhook.name(), event.id());
		}
		else if (mark == Mark.OUTBOX_FULL && this.fullOutboxes.add(webhook.name())) {
			logger.warn("The outbox of webhook '{}' is full ({} notices, balances.notify.queue-capacity): notification"
					+ " {} {} for {} and any later ones wait until there is room", webhook.name(),
					this.properties.queueCapacity(), event.type(), event.state(), key(event));
		}
	}

	/** A new event: its id is fresh here, and stays with it through every attempt to deliver it. */
	static NotificationEvent event(ConditionKey key, State state, @Nullable String unit, String summary,
			Figures figures, Instant now) {
		Scope scope = (key.account() != null) ? Scope.ACCOUNT
				: (key.type() == EventType.RUNS_OUT) ? Scope.POOL : Scope.PROVIDER;
		return new NotificationEvent(1, UUID.randomUUID().toString(), key.type(), state, scope, now, key.provider(),
				key.account(), key.product(), unit, summary, fingerprint(key), figures);
	}

	/** The same for every notification of one condition: the first 16 hex digits of SHA-256 of its id. */
	static String fingerprint(ConditionKey key) {
		return Sha256.hex(key.id(), 8);
	}

	private static String key(NotificationEvent event) {
		return event.provider() + ((event.account() != null) ? "/" + event.account() : "");
	}

}
