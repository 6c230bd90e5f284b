package dev.klingbalances.demo;

import java.io.IOException;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The demo profile with its minutes compressed (a faster pace, seconds instead of minutes: 2 s
 * TTLs, a sweep every 500 ms, forecasts from 3 s of history), so that forecasts and warnings
 * appear within seconds. Every subclass shares one application context; each waits for what it
 * looks for, so it does not matter which one runs first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "balances.demo.usage=120", "balances.demo.latency=10ms", "balances.demo.latency-jitter=0ms",
				"balances.forecast.min-span=3s", "balances.forecast.resolution=500ms", "balances.kling.cache-ttl=2s",
				"balances.useapi.cache-ttl=2s", "balances.cache.sweep-interval=500ms",
				"balances.status-page.refresh-interval=1s" })
@ActiveProfiles("demo")
public abstract class CompressedDemo {

	@LocalServerPort
	protected int port;

	@DynamicPropertySource
	static void demoPort(DynamicPropertyRegistry registry) throws IOException {
		int port = DemoHttp.freePort();
		registry.add("balances.demo.port", () -> port);
	}

}
