import com.sun.jdi.*;
import com.sun.jdi.connect.*;
import com.sun.jdi.event.*;
import com.sun.jdi.request.*;

import java.util.*;

/**
 * Counts the calls of named methods in another JVM by caller: a JDI breakpoint at each method's
 * first instruction, and at each hit the method, its caller, the first frame outside the JDK and
 * the thread are recorded. The JVM runs under JDWP, so the counts are calls whatever the JIT does
 * (PrintCompilation and LogCompilation name no callers). Slow: the JVM lives seconds longer, so
 * work the agent defers (the safeload-start thread) runs too; leave that thread out.
 *
 *   javac -d /tmp/calltrace bench/CallTrace.java
 *   java -agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=localhost:5005 -javaagent:... -cp ... Main &
 *   java -cp /tmp/calltrace CallTrace 5005 java.util.HashMap.putVal,java.lang.String.startsWith > calls.txt
 *
 * Prints TOTAL lines per method, then "count TAB method | caller | first non-JDK frame | thread".
 * A method's overloads share its name: a call from one overload to another counts twice (caller = the method).
 */
public class CallTrace {
  public static void main(String[] a) throws Exception {
    AttachingConnector c = null;
    for (AttachingConnector x : Bootstrap.virtualMachineManager().attachingConnectors()) if (x.name().equals("com.sun.jdi.SocketAttach")) c = x;
    Map<String, Connector.Argument> args = c.defaultArguments(); args.get("port").setValue(a[0]); args.get("hostname").setValue("localhost");
    VirtualMachine vm = null;
    for (int i = 0; i < 100 && vm == null; i++) { try { vm = c.attach(args); } catch (Exception e) { Thread.sleep(50); } }
    Map<String, Set<String>> want = new HashMap<>();
    for (String s : a[1].split(",")) { int d = s.lastIndexOf('.'); want.computeIfAbsent(s.substring(0, d), k -> new HashSet<>()).add(s.substring(d + 1)); }
    EventRequestManager erm = vm.eventRequestManager();
    for (String cls : want.keySet()) {
      for (ReferenceType t : vm.classesByName(cls)) arm(erm, t, want.get(cls));
      ClassPrepareRequest cp = erm.createClassPrepareRequest(); cp.addClassFilter(cls); cp.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD); cp.enable();
    }
    Map<String, Integer> counts = new TreeMap<>(); Map<String,Integer> per = new TreeMap<>();
    vm.resume();
    EventQueue q = vm.eventQueue();
    out: while (true) {
      EventSet es = q.remove();
      for (Event e : es) {
        if (e instanceof VMDeathEvent || e instanceof VMDisconnectEvent) break out;
        if (e instanceof ClassPrepareEvent cpe) { arm(erm, cpe.referenceType(), want.get(cpe.referenceType().name())); }
        if (e instanceof BreakpointEvent be) {
          Method m = be.location().method();
          String mn = m.declaringType().name() + "." + m.name();
          String caller = "?", agentFrame = "-";
          try {
            List<StackFrame> fs = be.thread().frames();
            if (fs.size() > 1) { Location l = fs.get(1).location(); caller = l.declaringType().name() + "." + l.method().name(); }
            for (int i = 1; i < fs.size(); i++) { Location l = fs.get(i).location(); String n = l.declaringType().name();
              if (!(n.startsWith("java.") || n.startsWith("jdk.") || n.startsWith("sun.") || n.startsWith("com.sun."))) { agentFrame = n + "." + l.method().name(); break; } }
          } catch (Exception x) { }
          String th;
          try { th = be.thread().name(); } catch (VMDisconnectedException x) { break out; } // the JVM ended during this hit
          counts.merge(mn + " | " + caller + " | " + agentFrame + " | " + th, 1, Integer::sum);
          per.merge(mn, 1, Integer::sum);
        }
      }
      es.resume();
    }
    for (var en : per.entrySet()) System.out.println("TOTAL " + en.getValue() + " " + en.getKey());
    counts.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).forEach(en -> System.out.println(en.getValue() + "\t" + en.getKey()));
  }
  static void arm(EventRequestManager erm, ReferenceType t, Set<String> names) {
    for (Method m : t.methods()) if (names.contains(m.name()) && m.location() != null && !m.isAbstract() && !m.isNative()) {
      BreakpointRequest br = erm.createBreakpointRequest(m.location()); br.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD); br.enable(); }
  }
}
