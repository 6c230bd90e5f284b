package dev.klingbalances.store;

import java.util.List;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keys each Lua script touches hash to one Redis Cluster slot, whatever the prefix and the
 * credential: a cluster refuses a script otherwise ({@code CROSSSLOT}).
 */
class StoreKeysTest {

	@ParameterizedTest
	@ValueSource(strings = { "kling-balances:", "team-a:", "x" })
	void theKeysOfEveryLaneAreInTheSlotOfTheLaneEpoch(String prefix) {
		StoreKeys keys = new StoreKeys(prefix);
		int epoch = SlotHash.getSlot(keys.laneEpoch());
		for (String credential : List.of("kling:abc", "useapi:0123456789abcdef", "kling:{odd}")) {
			assertThat(SlotHash.getSlot(keys.laneHolder(credential))).as("holder of %s", credential).isEqualTo(epoch);
			assertThat(SlotHash.getSlot(keys.laneNext(credential))).as("next start of %s", credential).isEqualTo(epoch);
		}
		assertThat(keys.laneHolder("kling:abc")).startsWith(prefix);
	}

	@ParameterizedTest
	@ValueSource(strings = { "kling-balances:", "team-a:", "x" })
	void aWebhooksFiringStateAndOutboxAreInOneSlot(String prefix) {
		StoreKeys keys = new StoreKeys(prefix);
		for (String webhook : List.of("ops", "slack-alerts", "a")) {
			assertThat(SlotHash.getSlot(keys.outbox(webhook))).as("outbox of %s", webhook)
				.isEqualTo(SlotHash.getSlot(keys.firing(webhook)));
		}
		assertThat(keys.outbox("ops")).startsWith(prefix);
	}

}
