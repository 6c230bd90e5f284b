package dev.klingbalances.upstream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RequestLaneTest {

	private final RequestLane lane = new RequestLane(new RequestPacer(Duration.ZERO), "fingerprint");

	private final List<String> started = new CopyOnWriteArrayList<>();

	@Test
	void aRequestStartsOnlyAfterThePreviousOneEnded() {
		Sinks.One<String> first = Sinks.one();
		this.lane.run(request("first", first.asMono())).subscribe();
		this.lane.run(request("second", Mono.just("done"))).subscribe();

		assertThat(this.started).containsExactly("first");

		first.tryEmitValue("done");
		await().untilAsserted(() -> assertThat(this.started).containsExactly("first", "second"));
	}

	@Test
	void aCancelledWaiterDoesNotLetTheNextOneOvertakeTheRunningOne() {
		Sinks.One<String> first = Sinks.one();
		this.lane.run(request("first", first.asMono())).subscribe();
		Disposable second = this.lane.run(request("second", Mono.just("done"))).subscribe();
		this.lane.run(request("third", Mono.just("done"))).subscribe();

		second.dispose();

		assertThat(this.started).containsExactly("first");
		first.tryEmitValue("done");
		await().untilAsserted(() -> assertThat(this.started).containsExactly("first", "third"));
	}

	@Test
	void aFailedRequestReleasesTheLane() {
		this.lane.run(request("first", Mono.error(new IllegalStateException("boom")))).subscribe(null, (ex) -> {
		});
		this.lane.run(request("second", Mono.just("done"))).subscribe();

		await().untilAsserted(() -> assertThat(this.started).containsExactly("first", "second"));
	}

	private Mono<String> request(String name, Mono<String> outcome) {
		return Mono.defer(() -> {
			this.started.add(name);
			return outcome;
		});
	}

}
