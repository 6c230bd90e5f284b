package dev.klingbalances.store;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.TestSettings;
import org.junit.jupiter.api.Test;

import org.springframework.core.task.SyncTaskExecutor;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/** A replica elected once the service is ready warms up; before that, the start-up listener does. */
class LeaderWarmUpTest {

	private final BalanceService service = mock(BalanceService.class);

	@Test
	void warmsUpWhenElectedAfterStartUp() {
		LeaderWarmUp warmUp = new LeaderWarmUp(this.service, TestSettings.balances(), new SyncTaskExecutor());

		warmUp.granted();
		verify(this.service, never()).warmUp();
		warmUp.ready();
		warmUp.granted();

		verify(this.service, times(1)).warmUp();
	}

	@Test
	void notWithWarmUpOff() {
		LeaderWarmUp warmUp = new LeaderWarmUp(this.service, TestSettings.balances("balances.cache.warm-up=false"),
				new SyncTaskExecutor());

		warmUp.ready();
		warmUp.granted();

		verify(this.service, never()).warmUp();
	}

}
