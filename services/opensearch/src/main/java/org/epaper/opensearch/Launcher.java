package org.epaper.opensearch;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node in this JVM until SIGTERM.
 *
 * <p>Arguments are node settings as {@code key=value} (the ones {@code -E} takes on the distribution's command line),
 * e.g. {@code cluster.name=t node.name=n0 path.home=/tmp/n0 http.port=9200 transport.port=9300
 * discovery.seed_hosts=127.0.0.1:9300,127.0.0.1:9301 cluster.initial_cluster_manager_nodes=n0,n1}. Only the two modules
 * the project needs are loaded, from the classpath: the netty4 transport (HTTP and node-to-node) and analysis-common.
 * A bad argument exits with status 2 and one line on stderr. With {@code -Dlauncher.exitOnStdinEof=true} the node
 * also stops when its standard input closes: a parent holding that pipe cannot leave it behind, even when killed.
 */
public final class Launcher {

    /** A node whose plugins are classes on the classpath instead of folders under modules/. */
    static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment) {
            super(environment, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class), true);
        }
    }

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        // no log4j2.properties here: log4j's default console configuration, at INFO instead of its ERROR, kept
        // alive until our shutdown hook has logged the node's close
        if (System.getProperty("log4j2.level") == null) {
            System.setProperty("log4j2.level", "INFO");
        }
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        Settings.Builder builder = Settings.builder()
            // loopback only: bootstrap checks are enforced on any other address, and tests must not listen outside
            .put("network.host", "127.0.0.1")
            .put("bootstrap.memory_lock", false)
            // test disks are small or shared: never refuse shards or block writes over free space
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("launcher: expected key=value, got '" + arg + "'");
                System.exit(2);
            }
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        if (!settings.hasValue("path.home") || !settings.hasValue("node.name")) {
            System.err.println("launcher: path.home and node.name are required");
            System.exit(2);
        }
        LogConfigurator.setNodeName(settings.get("node.name"));
        LogConfigurator.configureWithoutConfig(settings);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "node");
        Node node = new ClasspathNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "launcher-shutdown"));
        node.start();
        if (Boolean.getBoolean("launcher.exitOnStdinEof")) {
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // the parent writes nothing: only the end of the stream matters
                    }
                } catch (IOException e) {
                    // a broken pipe is the parent gone too
                }
                System.exit(0);
            }, "launcher-stdin-watch");
            watch.setDaemon(true);
            watch.start();
        }
        stopped.await();
    }
}
