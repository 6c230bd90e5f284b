package dev.klingbalances.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.lettuce.core.cluster.ClusterClientOptions;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.lifecycle.Startables;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster of three masters (no replicas) for tests: three {@link RedisTestContainer}
 * nodes in cluster mode, each with the host's network on a loopback port of its own (its
 * cluster bus on that port + 10000), joined by {@code redis-cli --cluster create} run inside the
 * first. The application reaches it as a managed cluster, through
 * {@code spring.data.redis.cluster.nodes}. Started once and shared (see {@link SharedTestRedis}):
 * each test keeps to its own key prefix.
 */
final class RedisTestCluster implements TestRedis, AutoCloseable {

	private static final int NODES = 3;

	/** A cluster node's bus listens this far above its port. */
	private static final int BUS_OFFSET = 10000;

	private final List<RedisTestContainer> nodes = new ArrayList<>();

	private RedisTestCluster(List<Integer> ports) {
		ports.forEach((port) -> this.nodes.add(RedisTestContainer.clusterNode(port)));
	}

	/** Three nodes started and joined into one cluster with every slot served; fails the test without Docker in CI. */
	static RedisTestCluster started() {
		RedisTestContainer.requireDocker();
		RedisTestCluster cluster = new RedisTestCluster(ports());
		try {
			cluster.start();
		}
		catch (RuntimeException | AssertionError ex) {
			cluster.close();
			throw ex;
		}
		return cluster;
	}

	private void start() {
		startNodesApart();
		join();
	}

	/** The nodes start in cluster mode, empty and not yet joined: they answer, but serve no slot. */
	void startNodesApart() {
		Startables.deepStart(this.nodes).join();
	}

	/** The started nodes form one cluster with every slot served. */
	void join() {
		List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
		create.addAll(addresses());
		create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
		ExecResult created = exec(this.nodes.get(0), create.toArray(String[]::new));
		assertThat(created.getExitCode()).as("redis-cli --cluster create: %s%s", created.getStdout(), created.getStderr())
			.isZero();
		// Every node must know the whole slot map before a client asks it.
		for (RedisTestContainer node : this.nodes) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> exec(node, "redis-cli", "-p", Integer.toString(node.port()), "cluster", "info").getStdout()
					.contains("cluster_state:ok"));
		}
	}

	private static ExecResult exec(RedisTestContainer node, String... command) {
		try {
			return node.execInContainer(command);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The nodes' addresses, {@code 127.0.0.1:port}. */
	List<String> addresses() {
		return this.nodes.stream().map((node) -> node.getHost() + ":" + node.port()).toList();
	}

	@Override
	public Map<String, String> properties() {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("balances.store.type", "redis");
		properties.put("spring.data.redis.cluster.nodes", String.join(",", addresses()));
		return properties;
	}

	@Override
	public LettuceConnectionFactory connectionFactory() {
		return RedisTestContainer.connectionFactory(new RedisClusterConfiguration(addresses()),
				ClusterClientOptions.builder());
	}

	/** Every node goes away. */
	@Override
	public void stopRedis() {
		this.nodes.forEach(RedisTestContainer::stop);
	}

	/** The nodes come back on the same ports, empty, and form the cluster again. */
	@Override
	public void startRedis() {
		start();
	}

	@Override
	public void close() {
		stopRedis();
	}

	@Override
	public String toString() {
		return "a cluster of three masters";
	}

	/**
	 * Three ports below 55536 that are free on loopback with their bus ports (a free port from
	 * the system may be too high for port + 10000).
	 */
	private static List<Integer> ports() {
		List<Integer> ports = new ArrayList<>();
		while (ports.size() < NODES) {
			int port = ThreadLocalRandom.current().nextInt(20000, 65536 - BUS_OFFSET);
			if (!ports.contains(port) && free(port) && free(port + BUS_OFFSET)) {
				ports.add(port);
			}
		}
		return ports;
	}

	private static boolean free(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
