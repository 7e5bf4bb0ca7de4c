package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.RpcPayloads;
import dev.safeload.it.victim.RpcOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code attach} hooks Kryo, Hessian and Pyrolite in a JVM that loaded and used them before the
 * agent arrived: their classes are edited by retransformation.
 */
class RpcAttachTest {

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesKryoHessianAndPickleAttacksAfterAttachToAJvmThatAlreadyUsedThem(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-rpc-attach-");
        Path marker = dir.resolve("pwned");
        Path order = Files.write(dir.resolve("order.kryo"), RpcPayloads.kryo(RpcOrder.sample()));
        Path map = Files.write(dir.resolve("map.hessian"), RpcPayloads.hessian(new java.util.HashMap<>(Map.of("k", 1))));
        Path pickle = Files.write(dir.resolve("map.pickle"), RpcPayloads.pickle(Map.of("k", 1)));
        Path kryoChain = Files.write(dir.resolve("chain.kryo"), RpcPayloads.kryoCommonsCollections(marker.toString()));
        Path hessianChain = Files.write(dir.resolve("chain.hessian"), RpcPayloads.hessianRomeH2(marker.toString()));
        Path bomb = Files.write(dir.resolve("bomb.pickle"), RpcPayloads.pickleBinbytesBomb());
        try (ConsoleProcess console = ConsoleProcess.start(jdk, dir, null, "-XX:+EnableDynamicAgentLoading")) {
            // The libraries' classes load and run before the agent exists.
            assertTrue(console.send("rpc kryo " + order).startsWith("RESULT ok " + RpcOrder.class.getName()));
            assertTrue(console.send("rpc hessian " + map).startsWith("RESULT ok java.util.HashMap"));
            assertTrue(console.send("rpc pickle-loads " + pickle).startsWith("RESULT ok java.util.HashMap"));

            ForkedJvm.Result attach = ForkedJvm.on(Jdks.current()).workDir(dir)
                    .runJar(ForkedJvm.agentJar(), "attach", String.valueOf(console.pid()), "log=" + dir.resolve("v.jsonl"));
            assertEquals(0, attach.exitCode(), attach::toString);

            assertTrue(console.send("rpc kryo " + kryoChain).startsWith("RESULT refused com.esotericsoftware.kryo.KryoException:"
                    + " safeload: refused org.apache.commons.collections.comparators.TransformingComparator"));
            assertTrue(console.send("rpc hessian " + hessianChain).startsWith("RESULT refused"
                    + " com.caucho.hessian.io.HessianProtocolException: safeload: refused com.sun.syndication.feed.impl.EqualsBean"));
            assertTrue(console.send("rpc pickle-loads " + bomb).startsWith("RESULT refused"
                    + " net.razorvine.pickle.PickleException: safeload: refused [B (rule serial.maxAlloc"));
            // The application's own DTO is refused until the operator allows it, as for a fresh start.
            assertTrue(console.send("rpc kryo " + order).startsWith("RESULT refused"));
        }
        assertFalse(Files.exists(marker));
    }
}
