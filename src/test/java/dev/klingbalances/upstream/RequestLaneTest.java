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

	private final RequestLane lane = new RequestLane(new RequestPacer(Duration.ZERO), "fingerprint",
			RequestLanes.Turn.UNTIL_ANSWERED);

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

	@Test
	void aTurnUntilSentEndsWhenTheRequestLeftNotWhenItsAnswerCame() {
		RequestLane lane = new RequestLane(new RequestPacer(Duration.ZERO), "fingerprint", RequestLanes.Turn.UNTIL_SENT);
		Sinks.One<String> firstAnswer = Sinks.one();
		// The first request is sent (the HTTP client reports it) and waits for its answer.
		lane.run(request("first", Mono.deferContextual((context) -> {
			RequestSent.sent(context);
			return firstAnswer.asMono();
		}))).subscribe();
		lane.run(request("second", Mono.just("done"))).subscribe();

		await().untilAsserted(() -> assertThat(this.started).containsExactly("first", "second"));
		firstAnswer.tryEmitValue("done");
	}

	@Test
	void aTurnUntilSentStillEndsWhenTheRequestNeverLeft() {
		RequestLane lane = new RequestLane(new RequestPacer(Duration.ZERO), "fingerprint", RequestLanes.Turn.UNTIL_SENT);
		Sinks.One<String> first = Sinks.one();
		lane.run(request("first", first.asMono())).subscribe(null, (ex) -> {
		});
		lane.run(request("second", Mono.just("done"))).subscribe();

		assertThat(this.started).as("not sent yet: the turn goes on").containsExactly("first");
		first.tryEmitError(new IllegalStateException("connection refused"));
		await().untilAsserted(() -> assertThat(this.started).containsExactly("first", "second"));
	}

	@Test
	void theNextRequestsIntervalCountsFromTheMomentTheRequestLeft() {
		Duration interval = Duration.ofMillis(300);
		RequestLane lane = new RequestLane(new RequestPacer(interval), "fingerprint", RequestLanes.Turn.UNTIL_SENT);
		long[] sentAt = new long[2];
		Sinks.One<String> firstAnswer = Sinks.one();
		lane.run(Mono.deferContextual((context) -> {
			sentAt[0] = System.nanoTime();
			RequestSent.sent(context);
			return firstAnswer.asMono();
		})).subscribe();
		String second = lane.run(Mono.fromSupplier(() -> {
			sentAt[1] = System.nanoTime();
			return "done";
		})).block(Duration.ofSeconds(5));

		assertThat(second).isEqualTo("done");
		assertThat(Duration.ofNanos(sentAt[1] - sentAt[0])).isGreaterThanOrEqualTo(interval);
		firstAnswer.tryEmitValue("done");
	}

	private Mono<String> request(String name, Mono<String> outcome) {
		return Mono.defer(() -> {
			this.started.add(name);
			return outcome;
		});
	}

}
