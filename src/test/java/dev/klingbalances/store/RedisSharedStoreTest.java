package dev.klingbalances.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.cache.SharedEntries;
import dev.klingbalances.provider.BalanceSnapshot;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link RedisSharedStore} against a real Redis, two "pods" with a connection each: entries read
 * back exactly as written and live max-stale plus an hour, leases exclusive between pods and
 * expiring, write notices reaching the other pod but not the writer.
 */
class RedisSharedStoreTest extends TwoPodsOnOneRedis {

	@Test
	void aSnapshotEntryReadsBackAsItWasWritten() {
		SharedEntries<BalanceSnapshot> written = this.podA.sharedStore().entries("balances.useapi", BalanceSnapshot.class);
		SharedEntries<BalanceSnapshot> read = this.podB.sharedStore().entries("balances.useapi", BalanceSnapshot.class);
		CachedValue<BalanceSnapshot> entry = SampleEntries.snapshot();

		written.write("creator@example.com", entry);

		CachedValue<BalanceSnapshot> back = read.read("creator@example.com");
		assertThat(back).isEqualTo(entry);
		assertThat(back.value().details().get("reportedTotal")).hasToString("1000.50");
		assertThat(back.value().details().get(BalanceSnapshot.SESSION_EXPIRES_AT)).isInstanceOf(Instant.class);
	}

	/**
	 * An entry outlives the time it may be served stale by an hour: {@code balances.cache.max-stale}
	 * sets how long it lives in Redis (no setting of its own to keep above it).
	 */
	@Test
	void anEntryLivesMaxStalePlusAnHour() {
		SharedEntries<BalanceSnapshot> byDefault = this.podA.sharedStore().entries("balances.kling", BalanceSnapshot.class);
		SharedEntries<BalanceSnapshot> twoHours = this.podA.sharedStore(Duration.ofHours(2))
			.entries("balances.kling", BalanceSnapshot.class);

		byDefault.write("team-a", SampleEntries.snapshot());
		twoHours.write("team-b", SampleEntries.snapshot());

		assertThat(timeToLive("team-a")).as("the default max-stale, 24 h")
			.isBetween(Duration.ofHours(25).minusMinutes(1), Duration.ofHours(25));
		assertThat(timeToLive("team-b")).as("max-stale=2h").isBetween(Duration.ofHours(3).minusMinutes(1),
				Duration.ofHours(3));
	}

	private Duration timeToLive(String key) {
		return Duration.ofSeconds(this.podB.redis.getExpire(this.podB.keys.entry("balances.kling", key), TimeUnit.SECONDS));
	}

	@Test
	void anAccountListReadsBackAndMissingKeysAreLeftOut() {
		SharedEntries<List<String>> written = this.podA.sharedStore()
			.entries("accounts.useapi", new TypeReference<List<String>>() {
			}.getType());
		SharedEntries<List<String>> read = this.podB.sharedStore()
			.entries("accounts.useapi", new TypeReference<List<String>>() {
			}.getType());
		Instant at = Instant.parse("2026-11-21T12:00:00Z");
		CachedValue<List<String>> entry = new CachedValue<>(List.of("a@example.com", "b@example.com"), at, null, at,
				null);

		written.write("*", entry);

		assertThat(read.read("*")).isEqualTo(entry);
		assertThat(read.read("none")).isNull();
		assertThat(read.readAll(List.of("none", "*"))).containsOnlyKeys("*").containsEntry("*", entry);
	}

	@Test
	void oneLeaseAtATimeAcrossPodsUntilReleasedOrExpired() {
		SharedEntries<String> a = this.podA.sharedStore().entries("balances.kling", String.class);
		SharedEntries<String> b = this.podB.sharedStore().entries("balances.kling", String.class);

		String leaseA = a.tryLease("team-a", Duration.ofMinutes(1));
		assertThat(leaseA).isNotNull();
		assertThat(b.tryLease("team-a", Duration.ofMinutes(1))).as("held by the other pod").isNull();
		String leaseB = b.tryLease("team-b", Duration.ofMinutes(1));
		assertThat(leaseB).as("another key").isNotNull();
		b.release("team-a", leaseB);
		assertThat(b.tryLease("team-a", Duration.ofMinutes(1))).as("only the holder gives a lease back").isNull();
		a.release("team-a", leaseA);
		assertThat(b.tryLease("team-a", Duration.ofMillis(300))).isNotNull();
		assertThat(a.tryLease("team-a", Duration.ofMinutes(1))).isNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> a.tryLease("team-a", Duration.ofMinutes(1)) != null);
	}

	@Test
	void aFetchsLateReleaseNeverFreesTheLeaseOfTheSameReplicasNextFetch() {
		SharedEntries<String> a = this.podA.sharedStore().entries("balances.kling", String.class);
		SharedEntries<String> b = this.podB.sharedStore().entries("balances.kling", String.class);

		// Given a fetch on pod A whose lease ran out before it gave it back
		String first = a.tryLease("team-a", Duration.ofMinutes(1));
		assertThat(first).isNotNull();
		assertThat(a.tryLease("team-a", Duration.ofMinutes(1))).as("the same pod's second fetch, while the first holds it")
			.isNull();
		this.podA.redis.delete(this.podA.keys.lease("balances.kling", "team-a"));
		String second = a.tryLease("team-a", Duration.ofMinutes(1));
		assertThat(second).as("the same pod's next fetch, once the first lease ran out").isNotNull();

		// When the first fetch gives its lease back late, while the second fetch holds one
		a.release("team-a", first);

		// Then the second fetch's lease still holds: no other pod fetches the account meanwhile
		assertThat(b.tryLease("team-a", Duration.ofMinutes(1))).as("pod B while pod A's second fetch runs").isNull();
		a.release("team-a", second);
		assertThat(b.tryLease("team-a", Duration.ofMinutes(1))).as("once the second fetch gave it back").isNotNull();
	}

	@Test
	void aWriteIsAnnouncedToTheOtherPodsOnly() {
		SharedEntries<String> a = this.podA.sharedStore().entries("balances.kling", String.class);
		SharedEntries<String> b = this.podB.sharedStore().entries("balances.kling", String.class);
		SharedEntries<String> otherCache = this.podB.sharedStore().entries("balances.useapi", String.class);
		List<String> heardByA = Collections.synchronizedList(new ArrayList<>());
		List<String> heardByB = Collections.synchronizedList(new ArrayList<>());
		a.onWrite(heardByA::add);
		b.onWrite(heardByB::add);
		Instant at = Instant.parse("2026-11-21T12:00:00Z");

		a.write("written-by-a", new CachedValue<>("118", at, null, at, null));
		await().atMost(Duration.ofSeconds(5)).until(() -> heardByB.contains("written-by-a"));
		otherCache.write("other-cache", new CachedValue<>("1", at, null, at, null));
		b.write("written-by-b", new CachedValue<>("117", at, null, at, null));
		await().atMost(Duration.ofSeconds(5)).until(() -> heardByA.contains("written-by-b"));

		// Published in this order on one server: had A heard its own write or the other cache's,
		// they would be in its list before B's.
		assertThat(heardByA).containsExactly("written-by-b");
		assertThat(heardByB).containsExactly("written-by-a");
	}

}
