package dev.klingbalances.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.klingbalances.balance.AccountScope;
import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalancesProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * Warns about a consumer's account pattern that matches no account: most likely a typo that
 * hides accounts from that consumer. Not a start-up failure, since accounts come and go (useapi.net
 * lists them at run time): the check runs once every provider's account list has been read
 * (after the warm-up, or the first request that reads them), polled at the sweep interval.
 */
@Configuration(proxyBeanMethods = false)
class AccountScopeCheck {

	private static final Logger logger = LoggerFactory.getLogger(AccountScopeCheck.class);

	@Bean
	ApplicationListener<ApplicationReadyEvent> accountScopePatternCheck(SecurityProperties properties,
			BalanceService service, TaskScheduler taskScheduler, BalancesProperties balancesProperties) {
		return (event) -> {
			if (properties.apiKeys().stream().allMatch((key) -> key.accounts().isEmpty())) {
				return;
			}
			AtomicBoolean done = new AtomicBoolean();
			AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
			task.set(taskScheduler.scheduleWithFixedDelay(() -> {
				Map<String, List<String>> lists = done.get() ? null : service.accountLists();
				if (lists != null && done.compareAndSet(false, true)) {
					unmatched(properties.apiKeys(), lists).forEach(logger::warn);
				}
				ScheduledFuture<?> self = task.get();
				if (done.get() && self != null) {
					self.cancel(false);
				}
			}, balancesProperties.cache().sweepInterval()));
		};
	}

	/** One warning per pattern that matches no account of the lists, naming the key and the pattern. */
	static List<String> unmatched(List<SecurityProperties.ApiKey> keys, Map<String, List<String>> lists) {
		List<String> warnings = new ArrayList<>();
		for (int i = 0; i < keys.size(); i++) {
			SecurityProperties.ApiKey key = keys.get(i);
			for (int j = 0; j < key.accounts().size(); j++) {
				String pattern = key.accounts().get(j);
				boolean matches = lists.entrySet()
					.stream()
					.anyMatch((list) -> list.getValue()
						.stream()
						.anyMatch((account) -> AccountScope.matches(pattern, list.getKey(), account)));
				if (!matches) {
					warnings.add(SecurityProperties.PREFIX + ".api-keys[" + i + "].accounts[" + j + "] of consumer '"
							+ key.name() + "' ('" + pattern + "') matches none of the "
							+ lists.values().stream().mapToInt(List::size).sum() + " accounts of " + lists.keySet()
							+ "; that consumer sees no account through it");
				}
			}
		}
		return warnings;
	}

}
