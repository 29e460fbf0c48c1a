package io.discordrag.indexer.testing.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a generated conversation is about: its opening questions, answers, the asker's follow-ups,
 * closings and same-author continuations, written as templates whose {@code {slot}}s are filled
 * from the topic's own words, so each conversation reads as one coherent exchange and different
 * topics share little vocabulary beyond chat's usual words.
 */
record Topic(
        String name,
        boolean smallTalk,
        List<String> questions,
        List<String> answers,
        List<String> followUps,
        List<String> closings,
        List<String> continuations,
        Map<String, List<String>> slots) {

    private static final Pattern SLOT = Pattern.compile("\\{(\\w+)}");

    /**
     * A template with its slots filled. A conversation talks about the same things throughout:
     * {@code chosen} keeps the value each slot got first in it (one time in five another value
     * comes up). {@code {n}} is a number of the conversation (a version, a size, a count).
     */
    String fill(List<String> templates, Random random, Map<String, String> chosen) {
        String template = templates.get(random.nextInt(templates.size()));
        Matcher m = SLOT.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String slot = m.group(1);
            String value = chosen.get(slot);
            if (value == null || random.nextInt(5) == 0) {
                value = pick(slot, random);
                chosen.putIfAbsent(slot, value);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String pick(String slot, Random random) {
        if (slot.equals("n")) {
            return Integer.toString(2 + random.nextInt(998));
        }
        List<String> words = slots.get(slot);
        if (words == null) {
            throw new IllegalStateException("topic " + name + " has no slot " + slot);
        }
        return words.get(random.nextInt(words.size()));
    }

    private static final List<String> COMMON_CLOSINGS =
            List.of(
                    "thanks, that worked",
                    "ok that fixed it, thank you!",
                    "perfect, thanks a lot",
                    "got it, appreciate it",
                    "makes sense now, thanks",
                    "cool, I'll try that tonight");
    private static final List<String> COMMON_CONTINUATIONS =
            List.of(
                    "also {thing} if that matters",
                    "(this is on {thing} btw)",
                    "sorry, I meant {thing}",
                    "and it only started after {thing}",
                    "forgot to say: {thing}");

    /*
     * One topic per block: "# name" (a "~" suffix marks small talk), then lines "Q:", "A:",
     * "F:", "C:" (question, answer, follow-up, closing; closings and continuations default to
     * common ones), "N:" (same-author continuation) and "$slot: a | b | c".
     */
    private static final String LIBRARY =
            """
            # postgres-replication
            $thing: the replication slot | wal_level | the publication | pgoutput | REPLICA IDENTITY FULL | max_wal_senders
            $version: Postgres 14 | Postgres 15 | Postgres 16
            $db: orders | billing | analytics | inventory | ledger | audit | events | payroll | catalog | shipments
            Q: has anyone set up logical replication on {version}? the {db} subscriber never gets any rows
            Q: why does the replication slot of the {db} database keep growing until the disk fills up?
            Q: do I need {thing} for logical decoding of deletes?
            Q: our CDC connector says the publication does not exist, what am I missing?
            A: you need wal_level=logical and a restart, then create the publication
            A: an inactive slot holds WAL forever, check pg_replication_slots and drop the stale one
            A: for deletes with the old row you want REPLICA IDENTITY FULL on that table
            A: the connector user needs the REPLICATION attribute, and the publication must list the table
            A: on {version} you can also set max_slot_wal_keep_size so a dead slot cannot fill the disk
            F: ok I set {thing}, do I have to restart the server?
            F: the slot is inactive since Tuesday, is it safe to drop it?
            F: does that also apply to {version}?
            N: the {db} slot is at {n} GB now
            N: running {version} on the primary

            # kubernetes-deploy
            $thing: the readiness probe | the pod | the helm chart | the ingress | the configmap | the deployment
            $num: 3 | 5 | 12 | 30
            $svc: payments-api | auth-gateway | search-indexer | email-worker | image-resizer | cart-service | ledger-sync | report-builder | geo-lookup | invoice-pdf
            Q: the {svc} pod is stuck in CrashLoopBackOff after the deploy, where do I even look?
            Q: why does {thing} keep restarting every {num} minutes?
            Q: how do you roll back the {svc} helm release, it half applied?
            Q: is there a way to see why the scheduler won't place my pod?
            A: kubectl describe pod shows the events, and logs --previous shows the crash before the restart
            A: your readiness probe is probably failing, the app takes longer than the initial delay to boot
            A: helm rollback to the previous revision, then helm history to check it took
            A: the events say insufficient memory, your requests are bigger than any node has free
            A: check the configmap, a missing env var makes it exit on startup
            F: describe says OOMKilled, so I should raise the memory limit?
            F: helm history shows revision {num} as failed, roll back to the one before it?
            F: the probe hits /healthz, should I bump initialDelaySeconds?
            N: it's the {svc} deployment
            N: only in staging, prod is fine

            # gpu-drivers
            $thing: the nvidia driver | CUDA 12 | the kernel update | secure boot | nouveau | the 4070
            $game: Elden Ring | Baldur's Gate 3 | Starfield | Helldivers 2 | Factorio | Cyberpunk | Hades II | Satisfactory
            Q: after the kernel update my second monitor is black, anyone seen this with {thing}?
            Q: {game} stutters since I installed {thing}, should I roll it back?
            Q: nvidia-smi says no devices found, what did I break?
            A: the driver module wasn't rebuilt for the new kernel, reinstall it with dkms
            A: secure boot blocks unsigned modules, either sign it or turn secure boot off
            A: nouveau is still loaded, blacklist it and regenerate the initramfs
            A: roll back to the previous driver, the new branch has a known stutter bug with frame gen
            F: how do I check which kernel the module was built for?
            F: blacklisted nouveau, still black screen, anything else?
            F: is {thing} the problem or the driver? {game} ran fine last week
            N: dual boot with windows if that matters

            # raid-night
            $thing: the second boss | the tank swap | the enrage timer | phase two | the healer rotation
            $day: friday | saturday | sunday
            $boss: Vexor | the Lich Queen | Gorrath | the Hollow King | Sylvara | Mordath | the Ember Twins | Kel'Zarak
            Q: who's in for raid on {day}? we still need a healer
            Q: any tips for {thing} on {boss}? we wiped {n} times last week
            Q: what time are we starting on {day}?
            A: I can heal, but only after nine
            A: on {boss} you have to swap tanks at three stacks or the debuff one-shots them
            A: everyone stacks behind the boss for the breath, then spread for the meteors
            A: we're starting at 8:30 server time, be online ten minutes early for buffs
            A: dps need to burn the adds first or you hit the enrage timer
            F: should I bring the fire resist gear for {thing}?
            F: does the healer need to pre-shield before the breath?
            F: can we start at nine instead on {day}?
            C: great, see everyone {day}
            C: ok, I'll bring pots for everyone
            N: also we need someone with a battle rez

            # home-espresso
            $thing: the grinder | the portafilter | 18 grams | a 1:2 ratio | the tamper | light roast beans
            $machine: Gaggia Classic | Rancilio Silvia | Breville Bambino | Lelit Bianca | Delonghi Dedica | Profitec Go
            Q: espresso from my {machine} comes out sour and way too fast, what should I change first?
            Q: is a burr grinder really worth it over a blade one for espresso?
            Q: how long should a shot take with {thing}?
            A: grind finer until the shot takes about 28 seconds for {thing}
            A: sour usually means under-extracted, finer grind or a hotter temperature
            A: a burr grinder is the single biggest upgrade, blade grinders can't go fine or even enough
            A: weigh the dose, 18 grams in and about 36 out is a good start
            F: went finer and now it chokes the machine, what now?
            F: is {thing} the reason it's so bitter?
            F: should I preheat the cup as well?
            N: on a {machine}, using {thing}

            # python-packaging
            $thing: poetry | pip | the lock file | a venv | pyproject.toml | wheels | setuptools
            $lib: numpy | pandas | pydantic | fastapi | psycopg | lxml | cryptography | grpcio | orjson | uvloop
            Q: pip install {lib} works locally but the docker build fails on its wheel, any idea?
            Q: poetry or plain pip with a requirements file for a small service?
            Q: why does importing my own package fail after pip install -e?
            A: the image lacks a compiler, use the slim image with build-essential or pin a version with wheels
            A: for a small service pip with a pinned requirements file is simpler than poetry
            A: your package is missing an __init__.py or the src layout isn't declared in pyproject.toml
            A: make sure the venv you installed into is the one running the code, check sys.executable
            F: do I commit the lock file or not?
            F: it says no matching distribution for {lib}, is that the python version?
            F: where do I declare the src layout in {thing}?
            N: python 3.12 btw

            # cat-health
            $thing: the vet | wet food | the litter box | the new kitten | hairballs | the flea treatment
            $cat: Miso | Luna | Pixel | Mochi | Tofu | Biscuit | Nala | Ziggy | Pumpkin | Olive
            Q: {cat} stopped eating since yesterday, should I wait or call {thing}?
            Q: how do I get an older cat to accept a new kitten?
            Q: she keeps throwing up after meals, is that hairballs?
            A: a cat not eating for a day is worth a call to the vet, they can get liver problems fast
            A: keep them in separate rooms for a week and swap their blankets so they learn the smell
            A: eating too fast causes that, try a slow feeder bowl and smaller meals
            A: brushing more often helps a lot with hairballs, and there's a paste for it
            F: {cat} drank some water today, does that change anything?
            F: how long until they can share {thing}?
            F: what paste do you use?
            N: {cat} is {n} months old

            # mechanical-keyboards
            $thing: linear switches | tactile switches | the stabilizers | hot-swap sockets | keycaps | the PCB
            $switch: Gateron Yellow | Cherry Brown | Holy Panda | Akko Lavender | Boba U4T | Oil King | Kailh Box Jade
            Q: first custom keyboard, {switch} or something tactile?
            Q: my spacebar rattles like crazy, what fixes that?
            Q: is hot-swap worth it or should I just solder?
            A: rattle is the stabilizers, clip and lube them with dielectric grease
            A: if you type a lot try tactile first, linears feel mushy to some people
            A: hot-swap lets you try switches without a soldering iron, definitely for a first build
            A: band-aid mod under the stabilizers also kills most of the rattle
            F: do I need to take the PCB out to lube {thing}?
            F: which lube for the stabilizers exactly?
            F: are {switch} loud?
            N: it's a 65% board

            # budget-travel
            $thing: the rail pass | hostels | the night train | carry-on only | the airport bus
            $city: Lisbon | Krakow | Vienna | Budapest | Porto | Ljubljana | Seville | Tallinn | Naples | Bruges | Gdansk | Valencia
            Q: going to {city} in march on a tight budget, any tips?
            Q: is {thing} worth it for two weeks in Europe?
            Q: cheapest way from the airport into {city}?
            A: the night train saves you a night of accommodation and it's fun
            A: the rail pass only pays off if you move every two or three days
            A: take the airport bus, it's a third of the taxi price and just as fast
            A: hostels in {city} are cheap and most have private rooms too
            F: do I need to book the night train ahead?
            F: what about {city}, same advice?
            F: is carry-on only realistic for two weeks?
            N: traveling with a friend

            # sourdough
            $thing: the starter | the levain | bulk fermentation | the dutch oven | whole wheat flour | the autolyse
            $flour: rye | spelt | bread flour | einkorn | whole wheat | emmer
            Q: my {flour} sourdough comes out flat and dense every time, what am I doing wrong?
            Q: how do I know when {thing} is ready?
            Q: why is my crust pale even at 250 degrees?
            A: your starter is probably too weak, feed it twice a day until it doubles in four hours
            A: let bulk fermentation go until the dough has risen about half, not by the clock
            A: bake covered in a preheated dutch oven for the first twenty minutes, then uncovered
            A: a pale crust is usually too little time uncovered or flour with no sugar left
            F: my kitchen is cold, how long should bulk take then?
            F: does whole wheat flour change {thing}?
            F: should I score deeper?
            N: {flour} at {n} grams of water

            # tax-return
            $thing: the W-2 | the 1099 | estimated payments | the deduction | the home office | the extension
            $client: a design agency | a fintech startup | three small clients | an app studio | a law firm | a game studio
            Q: freelancing for {client} this year, do I really need estimated payments?
            Q: can I deduct {thing} if I rent?
            Q: filing the extension, does that also extend the payment?
            A: yes, if you'll owe more than a thousand you should pay estimated tax each quarter
            A: the home office deduction works for renters too, it has to be used only for work
            A: the extension is for the paperwork only, the payment is still due in april
            A: keep every receipt, the simplified method gives five dollars a square foot
            F: I missed the first quarter, is there a penalty?
            F: does a desk in the bedroom count for {thing}?
            F: so I pay my best guess in april and file later?
            N: it's a 1099 from one client

            # running-training
            $thing: the long run | intervals | the taper | shin splints | a 10k | the marathon plan
            $race: the Berlin half | the city 10k | the trail 25k | the spring half | the Chicago marathon | the harbour 15k
            Q: training for {race}, how long should the long run get?
            Q: my shins hurt after every run, should I stop for a while?
            Q: how many weeks of taper before {thing}?
            A: build the long run up to about 18 km, no need to run the full distance before race day
            A: shin splints mean too much too soon, cut the mileage and run on soft ground for a bit
            A: two weeks of taper is plenty for a half, cut volume but keep some speed
            A: keep most runs easy, one interval session a week is enough
            F: should I do {thing} on the track or the road?
            F: is it ok to cross train while the shins heal?
            F: how fast should the easy runs be?
            N: {race} is in {n} days

            # lunch~
            $food: tacos | ramen | the thai place | pizza | sushi | the salad bar
            Q: lunch? thinking {food}
            Q: anyone up for {food} at noon?
            A: I'm in for {food}
            A: can't today, back to back meetings
            A: {food} again? fine, I'm in
            F: 12:15 at the lobby?
            C: see you downstairs
            C: ok leaving now

            # weekend-plans~
            $thing: the lake | a movie | the new board game | hiking | the concert | the market
            Q: any plans for the weekend?
            Q: who wants to do {thing} on saturday?
            A: probably {thing} if the weather holds
            A: sleeping mostly lol
            A: I'd come to {thing}
            F: what time?
            C: sounds good, see you there
            C: have fun!

            # build-broken
            $thing: the CI pipeline | the integration tests | main | the flaky test | the cache | the runner
            $test: OrderServiceTest | the checkout e2e test | LoginFlowIT | the migration test | SearchIndexTest | InvoiceRoundingTest
            Q: is main red for everyone or just me?
            Q: {test} has been failing since this morning, who touched it?
            Q: the integration tests time out on CI but pass locally, ideas?
            A: yeah main is red, someone merged without rebasing, I'm reverting it
            A: the CI runners are out of disk, the cache filled them up
            A: {test} again, it depends on the order of a hash map, I'll quarantine it
            A: CI has two cores and your test waits on a fixed sleep, it needs to wait for the condition
            F: is it safe to merge once {thing} is green again?
            F: who owns {thing}?
            F: can we clear the cache on all runners?
            N: link to the failing run is in the channel topic

            # photography
            $thing: the 50mm | aperture priority | ISO 3200 | the kit lens | manual focus | raw files
            $cam: Canon R50 | Sony a6400 | Nikon Z50 | Fuji X-T30 | an old Canon 600D | Olympus E-M10
            Q: night photos from my {cam} come out blurry, what settings should I use?
            Q: is the 50mm f1.8 worth it as a second lens?
            Q: should I shoot raw or jpeg as a beginner?
            A: use a faster shutter, at least one over the focal length, and raise the ISO
            A: the 50mm is cheap and sharp, great for portraits and low light
            A: shoot raw, you can fix white balance and exposure later
            A: aperture priority at f2.8 is a good start at night
            F: won't ISO 3200 be too noisy?
            F: does {thing} work on a crop sensor?
            F: what do you edit raw files with?
            N: it's the {cam}
            """;

    /** Every topic, parsed from {@link #LIBRARY} (declared after what parsing reads). */
    static final List<Topic> ALL = parse();

    private static List<Topic> parse() {
        List<Topic> topics = new ArrayList<>();
        String[] blocks = LIBRARY.split("\n\\s*\n");
        for (String block : blocks) {
            String name = null;
            boolean smallTalk = false;
            List<String> q = new ArrayList<>();
            List<String> a = new ArrayList<>();
            List<String> f = new ArrayList<>();
            List<String> c = new ArrayList<>();
            List<String> n = new ArrayList<>();
            Map<String, List<String>> slots = new LinkedHashMap<>();
            for (String raw : block.strip().split("\n")) {
                String line = raw.strip();
                if (line.startsWith("# ")) {
                    name = line.substring(2).strip();
                    smallTalk = name.endsWith("~");
                    name = name.replace("~", "");
                } else if (line.startsWith("$")) {
                    int colon = line.indexOf(':');
                    List<String> values = new ArrayList<>();
                    for (String v : line.substring(colon + 1).split("\\|")) {
                        values.add(v.strip());
                    }
                    slots.put(line.substring(1, colon).strip(), values);
                } else {
                    String text = line.substring(2).strip();
                    switch (line.substring(0, 2)) {
                        case "Q:" -> q.add(text);
                        case "A:" -> a.add(text);
                        case "F:" -> f.add(text);
                        case "C:" -> c.add(text);
                        case "N:" -> n.add(text);
                        default -> throw new IllegalStateException("bad topic line: " + line);
                    }
                }
            }
            slots.putIfAbsent("thing", List.of("this"));
            if (f.isEmpty()) {
                f.addAll(a);
            }
            if (c.isEmpty()) {
                c.addAll(COMMON_CLOSINGS);
            }
            n.addAll(COMMON_CONTINUATIONS);
            topics.add(new Topic(name, smallTalk, q, a, f, c, n, slots));
        }
        return List.copyOf(topics);
    }
}
