package dev.klingbalances.notify;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.balance.FakeProvider;
import dev.klingbalances.balance.MutableClock;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.cache.Leadership;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.notify.NotificationOutbox.Notice;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.store.MemoryHistoryStore;
import dev.klingbalances.store.MemoryNotificationStateStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;

/**
 * The real {@link BalanceService} over scripted providers and a hand-moved clock, with the
 * notification service built as the application builds it, delivering to WireMock. Tests drive
 * the upstreams, call {@link #refresh()} (a forced fetch of everything) and {@link #evaluate()}
 * (what the schedule does), then count what arrived.
 */
final class NotifyFixture implements AutoCloseable {

	static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

	/** Far beyond every window the tests use. */
	static final Instant FAR = Instant.parse("2028-01-01T00:00:00Z");

	/** A webhook URL's path and query are secrets (Slack's is the credential): never logged, never sent. */
	static final String PATH = "/services/T0SECRETPATH/B0SECRETPATH";

	static final String QUERY_SECRET = "QUERYSECRET0123";

	static final String SECRET = "whsec-0123456789abcdef0123456789abcdef";

	static final String UPSTREAM_TOKEN = "UPSTREAM-TOKEN-TOPSECRET-4711";

	final MutableClock clock = new MutableClock(T0);

	final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	final MemoryNotificationStateStore store = new MemoryNotificationStateStore();

	final JsonMapper json = TestSettings.jsonMapper();

	final BalanceService balances;

	final NotifyProperties properties;

	final WebhookSender sender;

	final NotificationService notifications;

	final WireMockServer wireMock;

	NotifyFixture(WireMockServer wireMock, List<BalanceProvider> providers, List<String> balancesSettings,
			String... notifySettings) {
		this.wireMock = wireMock;
		List<String> settings = new ArrayList<>(List.of("balances.cache.warm-up=false"));
		settings.addAll(balancesSettings);
		BalancesProperties balancesProperties = TestSettings.balances(settings.toArray(String[]::new));
		this.balances = new BalanceService(providers, balancesProperties, this.clock, this.meters, this.json,
				new MemoryHistoryStore(), null);
		this.properties = notifyProperties(notifySettings);
		this.sender = new WebhookSender(this.properties, this.store, Leadership.ALWAYS, this.json, this.clock,
				this.meters);
		this.notifications = new NotificationService(this.balances, this.properties,
				new ConditionEvaluator(balancesProperties, this.properties.hysteresis(), this.store), this.store,
				this.sender, this.clock);
	}

	static NotifyProperties notifyProperties(String... settings) {
		Map<String, String> values = new LinkedHashMap<>();
		for (String setting : settings) {
			int split = setting.indexOf('=');
			values.put(setting.substring(0, split), setting.substring(split + 1));
		}
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("balances.notify",
				NotifyProperties.class);
	}

	/** The webhook URL of a path on the WireMock receiver, with a secret in its query. */
	String url(String path) {
		return "http://127.0.0.1:" + this.wireMock.port() + path + "?token=" + QUERY_SECRET;
	}

	/** A forced fetch of every account, as {@code /balances?refresh=true} makes. */
	void refresh() {
		this.balances.balances(List.of(), true);
	}

	Map<String, List<NotificationEvent>> evaluate() {
		return this.notifications.evaluate();
	}

	/** Moves the clock, fetches everything and evaluates. */
	Map<String, List<NotificationEvent>> after(Duration duration) {
		this.clock.advance(duration);
		refresh();
		return evaluate();
	}

	/** Waits until no delivery pass runs. */
	void awaitIdle() {
		await().atMost(Duration.ofSeconds(20)).until(this.sender::idle);
	}

	/**
	 * Delivers what the outbox holds, in virtual time: whenever every notice left waits for its
	 * next attempt, the clock moves to the first of those, and the leader's next check runs.
	 * Returns once the outbox is empty (delivered, refused or given up).
	 */
	void awaitDelivered() {
		for (int round = 0; round < 10_000; round++) {
			this.sender.deliverDue();
			awaitIdle();
			Instant due = this.properties.webhooks()
				.stream()
				.map((webhook) -> this.store.next(webhook.name()))
				.filter(Objects::nonNull)
				.map(Notice::notBefore)
				.min(Comparator.naturalOrder())
				.orElse(null);
			if (due == null) {
				return;
			}
			if (due.isAfter(this.clock.instant())) {
				this.clock.setTo(due);
			}
		}
		throw new AssertionError("The outbox did not empty");
	}

	/** The requests the receiver got at {@code path}, oldest first. */
	List<LoggedRequest> received(String path) {
		return this.wireMock.findAll(postRequestedFor(urlPathEqualTo(path)));
	}

	/** The JSON events the receiver got at {@code path}, oldest first. */
	List<JsonNode> events(String path) {
		return received(path).stream().map((request) -> this.json.readTree(request.getBodyAsString())).toList();
	}

	/** The events of one type and state at {@code path}. */
	List<JsonNode> events(String path, EventType type, NotificationEvent.State state) {
		return events(path).stream()
			.filter((event) -> event.get("type").asString().equals(type.name())
					&& event.get("state").asString().equals(state.name()))
			.toList();
	}

	double count(String webhook, EventType type, String outcome) {
		Counter counter = this.meters.find(WebhookSender.METRIC)
			.tags("webhook", webhook, "type", type.name(), "outcome", outcome)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	@Override
	public void close() {
		this.sender.close();
	}

	/** One active grant with this much left (of 5000), expiring far away. */
	static BalanceSnapshot remaining(String remaining) {
		return new BalanceSnapshot(List.of(grant("main", "5000", remaining, FAR)), Map.of());
	}

	/** A video pack; a {@code null} remaining is one the upstream left out. */
	static Grant grant(String id, String total, @Nullable String remaining, Instant expiresAt) {
		return grant(id, "video", total, remaining, expiresAt);
	}

	static Grant grant(String id, String product, String total, @Nullable String remaining, Instant expiresAt) {
		return new Grant(id, "pack " + id, product, "decreasing_total", GrantStatus.ACTIVE, "online", new BigDecimal(total),
				(remaining != null) ? new BigDecimal(remaining) : null, T0.minus(Duration.ofDays(30)), expiresAt);
	}

	static void answers(FakeProvider provider, String account, BalanceSnapshot snapshot) {
		provider.answer(account, () -> Mono.just(snapshot));
	}

	/** The upstream fails with this code; the cause carries a token, as a careless client's might. */
	static void fails(FakeProvider provider, String account, ErrorCode code) {
		provider.answer(account, () -> Mono.error(new UpstreamException(code, "The upstream failed: " + code + ".",
				503, null, new IllegalStateException("Authorization: Bearer " + UPSTREAM_TOKEN))));
	}

}
