import com.sun.jdi.*;
import com.sun.jdi.connect.*;
import com.sun.jdi.event.*;
import com.sun.jdi.request.*;

import java.util.*;

/**
 * Counts every method entry (the JDK's too) made while a frame of a class whose name starts with
 * PREFIX is on the thread's stack, by callee and by callee and caller: every call the named code
 * makes, down to the leaves, as the interpreter runs them. JDI MethodEntry events; the JVM runs
 * under JDWP, so it is slow (a minute for the four java.base edits). Class loading under those
 * frames is counted too: under bench/JdkEditCost the agent's classes come from the application
 * class loader (the agent has them on the boot class path), so its URL and zip calls are noise.
 *
 *   javac -d /tmp/jdkeditcost bench/JdkEditCost.java; javac -d /tmp/entrytrace bench/EntryTrace.java
 *   java -agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=localhost:5011 \
 *       -cp /tmp/jdkeditcost:agent/target/safeload-agent.jar JdkEditCost &
 *   java -cp /tmp/entrytrace EntryTrace 5011 dev.safeload.instrument.jdk. > entries.txt
 *
 * Prints "TOTAL count callee" lines, then "count callee <- caller", each by count.
 */
public class EntryTrace {
  public static void main(String[] a) throws Exception {
    String prefix = a[1];
    AttachingConnector c = null;
    for (AttachingConnector x : Bootstrap.virtualMachineManager().attachingConnectors()) if (x.name().equals("com.sun.jdi.SocketAttach")) c = x;
    Map<String, Connector.Argument> args = c.defaultArguments(); args.get("port").setValue(a[0]); args.get("hostname").setValue("localhost");
    VirtualMachine vm = null;
    for (int i = 0; i < 100 && vm == null; i++) { try { vm = c.attach(args); } catch (Exception e) { Thread.sleep(50); } }
    MethodEntryRequest r = vm.eventRequestManager().createMethodEntryRequest();
    r.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
    r.enable();
    Map<String, Integer> callee = new HashMap<>(), pair = new HashMap<>();
    vm.resume();
    EventQueue q = vm.eventQueue();
    try {
      out: while (true) {
        EventSet es = q.remove();
        for (Event e : es) {
          if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) break out;
          if (e instanceof MethodEntryEvent me) {
            List<StackFrame> fs;
            try { fs = me.thread().frames(); } catch (IncompatibleThreadStateException x) { continue; }
            boolean under = false;
            for (StackFrame f : fs) if (f.location().declaringType().name().startsWith(prefix)) { under = true; break; }
            if (!under) continue;
            Method m = me.method();
            String name = m.declaringType().name() + "." + m.name();
            String caller = fs.size() > 1 ? fs.get(1).location().declaringType().name() + "." + fs.get(1).location().method().name() : "?";
            callee.merge(name, 1, Integer::sum);
            pair.merge(name + " <- " + caller, 1, Integer::sum);
          }
        }
        es.resume();
      }
    } catch (VMDisconnectedException x) { } // the JVM ended during an event
    callee.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).forEach(x -> System.out.println("TOTAL\t" + x.getValue() + "\t" + x.getKey()));
    pair.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).forEach(x -> System.out.println(x.getValue() + "\t" + x.getKey()));
  }
}
