package dev.safeload.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.util.Optional;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code attach PID [key=value,...]}: loads the agent into a running JVM, then says what the
 * agent in the target answered: started, applied (a JVM already running the agent takes new
 * options only through the raise-only path), refused or a configuration error; never success
 * for options the target ignored.
 */
final class AttachCommand {

    static final String USAGE = "attach PID [key=value,...]";

    /** Where the agent leaves its answer in the target. */
    private static final String RESULT_PROPERTY = dev.safeload.agent.SafeloadAgent.ATTACH_RESULT_PROPERTY;

    private AttachCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println("usage: " + USAGE);
            out.println("Loads the agent into the running JVM PID (same user, attach not disabled). Options are");
            out.println("the agent options, e.g. mode=audit,log=/var/log/safeload.jsonl. If the JVM already runs");
            out.println("the agent, the options are applied only if they do not lower protection.");
            out.println("Exit 0 when the agent started or applied the options, 1 when it refused them or could");
            out.println("not start, 2 on a usage error.");
            return 0;
        }
        if (args.length < 1 || args.length > 2 || !args[0].matches("\\d{1,19}")) {
            err.println("usage: " + USAGE);
            return 2;
        }
        String pid = args[0];
        String options = args.length == 2 ? args[1] : "";
        if (pid.equals(String.valueOf(ProcessHandle.current().pid()))) {
            err.println("safeload: cannot attach to this very process");
            return 2;
        }
        String problem = targetProblem(Long.parseLong(pid));
        if (problem != null) {
            err.println("safeload: cannot attach to JVM " + pid + ": " + problem);
            return 1;
        }
        File jar;
        try {
            jar = new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            err.println("safeload: cannot find the agent jar this command runs from: " + e);
            return 2;
        }
        String answer;
        try {
            answer = load(pid, jar, options);
        } catch (AttachNotSupportedException e) {
            err.println("safeload: cannot attach to JVM " + pid + ": " + e.getMessage()
                    + " (is it a JVM of this user, started without -XX:+DisableAttachMechanism?)");
            return 1;
        } catch (AgentLoadException | AgentInitializationException e) {
            err.println("safeload: JVM " + pid + " could not load the agent: " + e.getMessage()
                    + "; see the target's stderr");
            return 1;
        } catch (IOException e) {
            err.println("safeload: cannot talk to JVM " + pid + ": " + e.getMessage());
            return 1;
        } catch (LinkageError e) {
            err.println("safeload: this Java has no attach API (jdk.attach); run the command with a full JDK: " + e);
            return 2;
        }
        if (answer == null) {
            err.println("safeload: JVM " + pid + " loaded the agent but it gave no answer; see the target's stderr");
            return 1;
        }
        String[] parts = answer.split(" ", 3);
        String status = parts.length > 1 ? parts[1] : "";
        String message = parts.length > 2 ? parts[2] : "";
        switch (status) {
            case "started" -> {
                out.println("safeload: attached to JVM " + pid + (options.isEmpty() ? "" : " with " + options));
                report(pid, out);
                return 0;
            }
            case "applied" -> {
                out.println("safeload: JVM " + pid + " already runs the agent; " + message);
                report(pid, out);
                return 0;
            }
            case "off" -> {
                out.println("safeload: attached to JVM " + pid + ": " + message);
                return 0;
            }
            case "refused" -> {
                err.println("safeload: JVM " + pid + " already runs the agent and refused the options: " + message);
                return 1;
            }
            default -> {
                err.println("safeload: the agent in JVM " + pid + " did not start: " + message);
                return 1;
            }
        }
    }

    /** Why the attach API cannot reach {@code pid}, said plainly before it tries; null when it may. */
    static String targetProblem(long pid) {
        Optional<ProcessHandle> target = ProcessHandle.of(pid);
        if (target.isEmpty() || !target.get().isAlive()) {
            return "no such process";
        }
        Optional<String> owner = target.get().info().user();
        String me = System.getProperty("user.name");
        if (owner.isPresent() && me != null && !owner.get().equals(me)) {
            return "it runs as user " + owner.get() + " and this command as " + me
                    + "; the attach API only reaches JVMs of the same user (run attach as " + owner.get() + ")";
        }
        return null;
    }

    /** Loads the agent and returns the answer it left in the target, or null if it left none. */
    private static String load(String pid, File jar, String options)
            throws AttachNotSupportedException, AgentLoadException, AgentInitializationException, IOException {
        VirtualMachine vm = VirtualMachine.attach(pid);
        try {
            String before = vm.getSystemProperties().getProperty(RESULT_PROPERTY);
            vm.loadAgent(jar.getAbsolutePath(), options);
            String after = vm.getSystemProperties().getProperty(RESULT_PROPERTY);
            return after == null || after.equals(before) ? null : after;
        } finally {
            vm.detach();
        }
    }

    /** Prints the agent's state from its JMX bean in the target, when the target allows it. */
    private static void report(String pid, PrintStream out) {
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                String address = vm.startLocalManagementAgent();
                try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                    MBeanServerConnection server = connector.getMBeanServerConnection();
                    ObjectName name = new ObjectName("dev.safeload:type=Agent");
                    for (int i = 0; i < 50 && !server.isRegistered(name); i++) {
                        Thread.sleep(100);
                    }
                    out.println("  mode:    " + server.getAttribute(name, "Mode"));
                    out.println("  policy:  " + server.getAttribute(name, "PolicySource") + " (sha256 "
                            + server.getAttribute(name, "PolicyDigest") + ")");
                    out.println("  guarded: every ObjectInputStream created from now on, each existing one at its"
                            + " next read, and model loads through the hooked libraries");
                }
            } finally {
                vm.detach();
            }
        } catch (Exception e) {
            out.println("  (the agent's state could not be read over JMX: " + e.getClass().getSimpleName()
                    + "; see the target's stderr and violation log)");
        }
    }
}
