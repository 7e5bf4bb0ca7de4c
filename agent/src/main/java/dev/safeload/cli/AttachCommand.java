package dev.safeload.cli;

import java.io.File;
import java.io.PrintStream;
import java.net.URISyntaxException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code attach PID [key=value,...]}: loads the agent into a JVM that was started without it,
 * then reads back over JMX what the agent reports, so the user sees what is now protected.
 */
final class AttachCommand {

    static final String USAGE = "attach PID [key=value,...]";

    private AttachCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 1 || args.length > 2 || !args[0].matches("\\d+")) {
            err.println("usage: " + USAGE);
            return 2;
        }
        String pid = args[0];
        String options = args.length == 2 ? args[1] : "";
        if (pid.equals(String.valueOf(ProcessHandle.current().pid()))) {
            err.println("safeload: cannot attach to this very process");
            return 2;
        }
        File jar;
        try {
            jar = new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            err.println("safeload: cannot find the agent jar this command runs from: " + e);
            return 2;
        }
        try {
            ByteBuddyAgent.attach(jar, pid, options);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            err.println("safeload: could not attach to JVM " + pid + ": " + cause);
            err.println("safeload: the target must be a JVM run by the same user, without -XX:+DisableAttachMechanism;"
                    + " a configuration the agent refuses is reported on the target's stderr");
            return 1;
        }
        out.println("safeload: attached to JVM " + pid + (options.isEmpty() ? "" : " with " + options));
        report(pid, out);
        return 0;
    }

    /** Prints the agent's state from its JMX bean in the target, when the target allows it. */
    private static void report(String pid, PrintStream out) {
        try {
            Class<?> vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
            Object vm = vmClass.getMethod("attach", String.class).invoke(null, pid);
            try {
                String address = (String) vmClass.getMethod("startLocalManagementAgent").invoke(vm);
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
                vmClass.getMethod("detach").invoke(vm);
            }
        } catch (Exception e) {
            out.println("  (the agent's state could not be read over JMX: " + e.getClass().getSimpleName()
                    + "; see the target's stderr and violation log)");
        }
    }
}
