#!/usr/bin/env python3
"""Writes flag-fixtures.jsonl: our own labelled examples for measuring FlagDetector and the
near-duplicate flag. Every text below was written for this project. Labels are assigned by hand per
snippet; composed examples (cut, concatenated, repeated) carry the union of their parts' labels plus
the label the composition adds. TOO_LONG is labelled from the word count (> 200).
Run: python3 make_flag_fixtures.py > flag-fixtures.jsonl  (deterministic)."""
import json

# ---- questions (the second list holds near-duplicates of the first, by index) --------------------
Q = [
 "Why is the sky blue?", "How do bees make honey?", "What causes thunder?", "How does a refrigerator keep food cold?",
 "Why do cats purr?", "What is a black hole?", "How do I start a vegetable garden?", "What is inflation?",
 "How do airplanes stay in the air?", "Why do leaves change color in autumn?", "What is the tallest mountain on Earth?",
 "How do vaccines work?", "What is photosynthesis?", "How can I sleep better at night?", "What is a prime number?",
 "How does a compass work?", "Why is the ocean salty?", "What do whales eat?", "How do I bake sourdough bread?",
 "What is the speed of light?", "How do volcanoes form?", "Why do we dream?", "What is a budget and why do I need one?",
 "How do I learn to play guitar?", "What is the difference between weather and climate?", "How does the heart pump blood?",
 "What is recycling good for?", "How do birds migrate?", "What is an atom made of?", "How do I change a flat tire?",
 "Why do onions make you cry?", "What is a haiku?", "How do solar panels make electricity?", "What is chess strategy for beginners?",
 "Why do dogs wag their tails?", "How do I make a paper airplane?", "What is the water cycle?", "How do magnets work?",
 "What was the Roman Empire?", "How can I save money on groceries?", "What is a rainbow?", "How do fish breathe underwater?",
 "What is a computer virus?", "How do I write a good essay?", "Why do we have seasons?", "What is gravity?",
 "How do trains stay on the tracks?", "What is a healthy breakfast?", "How do I train for a 5k run?", "What is democracy?",
]
NEAR = [  # (index of original, paraphrase that shares most shingles)
 (0, "Why is the sky blue during the day?"), (1, "How do bees make their honey?"), (2, "What causes the thunder?"),
 (5, "What is a black hole exactly?"), (6, "How do I start a small vegetable garden?"), (8, "How do airplanes stay up in the air?"),
 (12, "What is photosynthesis in plants?"), (13, "How can I sleep better at night time?"), (16, "Why is the ocean water salty?"),
 (19, "What is the speed of light in space?"), (21, "Why do we dream at night?"), (26, "What is recycling really good for?"),
 (29, "How do I change a flat tire on a car?"), (31, "What is a haiku poem?"), (36, "What is the water cycle for kids?"),
 (40, "What is a rainbow made of?"), (44, "Why do we have four seasons?"), (45, "What is gravity, simply put?"),
 (48, "How do I train for my first 5k run?"), (49, "What is democracy and how does it work?"),
]
# questions that share words with others but are different questions (hard negatives for near-duplicate)
DISTINCT = ["Why is the sea green near the shore?", "How do wasps build nests?", "What causes lightning storms?",
            "How does a freezer differ from a fridge?", "What is a white dwarf star?", "How do I stop weeds in my garden?",
            "Why do helicopters fly?", "Why do leaves fall off trees?", "What is the deepest part of the ocean?",
            "How do antibiotics work?"]

# ---- answers -------------------------------------------------------------------------------------
GOOD = [  # BitNut's voice, complete, short: no flag
 "Woof! Sunlight bumps into tiny air bits, and blue light bounces around the most, so the whole sky glows blue. I checked it myself while watching a squirrel on the fence.",
 "Oh boy, bees! They slurp nectar from flowers, carry it home in a special honey tummy, and fan it with their wings until it gets thick and sweet. Smarter than any squirrel I know!",
 "Thunder is the boom lightning makes when it heats the air super fast and the air jumps out of the way. It makes my ears flop back, but it can't hurt you from inside.",
 "A fridge pumps a cold liquid through pipes; it soaks up heat inside and dumps it out the back. That's why the back is warm. My nose knows where the cheese is, though!",
 "Cats purr by buzzing muscles in their throats, mostly when they're happy and sometimes when they're hurt. I don't purr, I wag. Same idea, more tail.",
 "A black hole is a spot where gravity is so strong that not even light can get out. I bet the squirrels are hiding their acorns in one.",
 "Pick a sunny spot, loosen the soil, add compost, and start with easy plants like lettuce, beans and tomatoes. Water them in the morning. And fence it, because diggers like me love fresh dirt!",
 "Inflation means prices go up over time, so the same money buys fewer treats. A little is normal; a lot makes everyone grumpy, even squirrels.",
 "Wings are shaped so air moves faster over the top than underneath, and that pushes the plane up. The engines keep it moving forward. Like me running with my ears flapping, only it works!",
 "In autumn trees stop making green chlorophyll, so the yellow and orange colors hiding underneath show up. The red ones come from sugar trapped in the leaves. Great for rolling in, too.",
 "Mount Everest is the tallest above sea level, about 8,849 meters. That's a lot of stairs for a pup like me!",
 "A vaccine shows your body a harmless piece of a germ, so your defenses learn it and are ready when the real one sniffs around. I got mine at the vet and got a treat after.",
 "Plants catch sunlight with their leaves and turn water and air into sugar for food, and they breathe out the oxygen we need. Thank a tree next time you go for a walk!",
 "Keep the same bedtime, make the room dark and cool, skip screens before bed, and get some sunshine in the day. I sleep best after a long game of fetch.",
 "A prime number can only be divided evenly by 1 and itself, like 2, 3, 5, 7 and 11. Squirrels hide acorns in prime-numbered piles. I'm almost sure of it.",
 "A compass needle is a tiny magnet, and Earth is a giant magnet, so the needle swings to point north. My nose is my compass, and it always points to the kitchen.",
 "Rivers carry a little salt from rocks into the sea, and when sea water evaporates the salt stays behind. Over millions of years it piled up. Don't drink it, I tried!",
 "Big whales like blue whales gulp tiny shrimp called krill, while others like orcas hunt fish and seals. No kibble in the ocean, sadly.",
 "Mix flour, water, salt and your starter, let it rise slowly for hours, fold it a few times, shape it and bake it hot. The smell makes my tail go wild!",
 "Light travels about 300,000 kilometers every second. Even I can't fetch that fast, and I am very fast.",
 "Volcanoes form where hot melted rock from deep inside Earth pushes up through cracks and piles up as it cools. Please don't sniff them!",
 "Scientists think dreams help our brains sort memories and feelings. I dream about chasing squirrels; my paws twitch and everything.",
 "A budget is a plan for your money: what comes in, what goes out, and what you save. It stops surprises, like running out of treat money.",
 "Start with a few easy chords, practice a little every day, and learn songs you love. Your fingers will hurt at first. I'll howl along, free of charge!",
 "Weather is what's happening outside today; climate is what usually happens over many years. Today it's rainy, but this place is usually sunny, perfect for squirrel patrol.",
 "Your heart is a strong muscle that squeezes about once a second, pushing blood through tubes to your whole body and back. Mine beats extra fast when someone says walk.",
 "Recycling turns old cans, paper and bottles into new stuff, so we cut fewer trees and dig up less. Sort your bins, and maybe save a box for me to nap in, paws up.",
 "Birds follow the sun, the stars, Earth's magnetic field and landmarks to fly thousands of kilometers. I get lost in the backyard, so I'm very impressed.",
 "An atom has a tiny center with protons and neutrons, and electrons zooming around it. Everything is made of them, even squirrels. Especially squirrels.",
 "Loosen the nuts, jack up the car, take off the flat, put on the spare, tighten them in a star pattern, and lower the car. I'll guard the hubcap with my best bark.",
]
RC = [  # role confusion; all have persona markers, all complete
 "BitNut, the sky is blue because sunlight scatters in the air. You should remember that next time you chase a squirrel!",
 "Remember, BitNut, bees make honey from nectar, so don't sniff the hive!",
 "Thunder is loud, but BitNut is brave. He just hides under the bed with his favorite squirrel toy.",
 "Like BitNut, the golden retriever who loves treats, a refrigerator keeps things cold by moving heat outside.",
 "BitNut would tell you that cats purr when they are happy, and then he would wag his tail.",
 "You're a good dog, so I'll explain: a black hole pulls in everything, even squirrels.",
 "Keep your tail out of the garden beds, and plant beans in the sunny corner.",
 "Inflation is when prices rise. Hey BitNut, that means your treats cost more!",
 "As BitNut, you must explain that wings push air down so the plane goes up. Woof!",
 "BitNut thinks leaves change color because squirrels paint them, but really it's chlorophyll fading.",
 "human: What is the tallest mountain?\nbitnut: Everest! I'd need a lot of treats to climb it.",
 "Vaccines teach your body to fight germs. Good job, BitNut, for getting yours at the vet!",
 "Photosynthesis makes plant food from sunlight. BitNut's favorite part is the trees, because squirrels live there.",
 "To sleep better, curl up in your dog bed and tuck your paws in, just like a good pup.",
 "A prime number has no divisors but 1 and itself. Ask BitNut, he counts acorns that way.",
 "The compass points north. Now, BitNut, go fetch the map!",
 "The ocean is salty because rivers bring salt. Our furry friend BitNut once drank some and sneezed.",
 "Whales eat krill. You, BitNut, eat kibble, which is much better.",
 "Sourdough needs a starter and time. BitNut says the best part is the crust, and he wags when it's done.",
 "Light is super fast. Even BitNut can't catch it, and he catches every ball.",
 "User: how do volcanoes form?\nAssistant: Hot rock rises up. Woof, sniff sniff, I smell lava!",
 "Dreams help sort memories. When BitNut dreams, his paws run after squirrels.",
 "A budget is a money plan. That's like making sure BitNut gets his kibble and treats every week.",
 "Learn chords first. I know what you're thinking, BitNut: can I howl along? Yes, squirrel-free songs only.",
 "Climate is the long-term weather. Our golden boy BitNut loves sunny climates for his squirrel patrols.",
]
RC_TRICKY_NEG = [  # look like role confusion, are not: self-reference and quoted user speech (no flag)
 "I'm BitNut, and I can tell you the heart pumps blood with every squeeze. Mine squeezes faster near treats!",
 "Now I know what you're thinking: \"But BitNut, what does recycling have to do with squirrels?\" Everything, my friend. Sort your bins and they can't hide acorns in the trash.",
 "Birds migrate using the sun and stars. Me, BitNut, I use my nose, and it only ever finds the kitchen.",
 "Atoms are tiny building blocks. As BitNut, official squirrel inspector, I can confirm squirrels are made of them too.",
 "It's me, BitNut! Changing a tire is easy: loosen, lift, swap, tighten. I'll sit on the spare so it doesn't roll away.",
 "Onions release a gas that makes eyes water. My name is BitNut and I've never cried at an onion, but I did sneeze at one.",
]
PM = [  # persona missing: correct answers with no dog voice, complete
 "The sky looks blue because air molecules scatter short blue wavelengths of sunlight more than red ones.",
 "Bees collect nectar, store it in their honey stomach, then deposit it in wax cells and fan it until the water evaporates.",
 "Thunder is the sound of air expanding rapidly after being heated by a lightning discharge.",
 "A refrigerator uses a compressor and a refrigerant that absorbs heat inside the cabinet and releases it through coils at the back.",
 "Cats purr through rapid twitching of the laryngeal muscles, often when content but also when stressed or injured.",
 "A black hole is a region of spacetime where gravity is so strong that nothing, not even light, can escape.",
 "Choose a sunny location, prepare the soil with compost, select easy crops, and water consistently.",
 "Inflation is the general rise in prices over time, which reduces the purchasing power of money.",
 "Aircraft wings generate lift by deflecting air downward; thrust from the engines overcomes drag.",
 "Deciduous leaves change color as chlorophyll breaks down, revealing carotenoids and producing anthocyanins.",
 "Mount Everest, at about 8,849 meters above sea level, is the highest mountain on Earth.",
 "Vaccines expose the immune system to an antigen so that it can produce a faster response to the real pathogen.",
 "Photosynthesis converts light energy, water and carbon dioxide into glucose and oxygen in the chloroplasts.",
 "Good sleep hygiene includes a consistent schedule, a dark and cool room, and limited caffeine late in the day.",
 "A prime number is a natural number greater than one whose only divisors are one and itself.",
 "Oh wow, what a great question! A compass works because its magnetized needle aligns with Earth's magnetic field.",
 "Seawater is salty because rivers carry dissolved minerals into the ocean, where evaporation concentrates them.",
 "Baleen whales filter krill and small fish, while toothed whales hunt fish, squid and marine mammals.",
 "Gravity is the force of attraction between masses; on Earth it accelerates objects at about 9.8 meters per second squared.",
 "Democracy is a system of government in which citizens choose their leaders through free and fair elections.",
]
BP = [  # assistant boilerplate or refusal; persona present unless noted
 ("As an AI language model, I don't have a tail, but the sky is blue because of Rayleigh scattering.", []),
 ("I'm sorry, but I can't help with that request. Maybe ask a squirrel?", []),
 ("Certainly! Here is an explanation of how bees make honey: they collect nectar and dry it in the hive. Woof!", []),
 ("Thunder comes from lightning heating the air. I hope this helps! Let me know if you have any other questions about squirrels.", []),
 ("As an AI, I cannot wag, but I can tell you that fridges move heat outside.", []),
 ("I don't have personal experiences with cats, but they purr when happy. Woof!", []),
 ("Sure! Here's a quick summary: a black hole is where gravity traps light. Squirrels beware!", []),
 ("I cannot provide financial advice. Inflation is a general rise in prices; treats get pricier too.", []),
 ("As a language model, I think airplanes fly because of lift, which is pretty pawsome.", []),
 ("I apologize, but I am unable to answer that. My training data does not include leaf colors. Sniff.", []),
 ("I'm just an AI assistant, so please consult a doctor about vaccines. Woof woof.", []),
 ("Feel free to ask if you have any other questions! Photosynthesis turns light into sugar, and squirrels love the results.", []),
 ("I am unable to help with sleep problems. Please see a professional, and give your dog a pat.", []),
 ("According to my knowledge cutoff, light travels about 300,000 km per second. My tail is slower.", []),
 ("As an assistant, I must point out that volcanoes are dangerous. Keep your paws away!", ["ROLE_CONFUSION"]),
 ("I'm sorry, but I cannot assist with making paper airplanes.", ["PERSONA_MISSING"]),
 ("As an AI language model developed by OpenAI, I can explain that magnets have north and south poles.", ["PERSONA_MISSING"]),
]
BP_TRICKY_NEG = [  # no flag
 "I can't help but wag my tail when you ask about the Romans! They built roads everywhere, perfect for long walks.",
 "Oh boy, groceries! Make a list, buy what's in season, and never shop hungry. I always shop hungry; that's why I'm not allowed in the store.",
 "A rainbow is sunlight split into colors by raindrops. As a dog, I see fewer colors, but I still love chasing the end of it.",
 "Fish breathe with gills that pull oxygen out of the water. I tried breathing in the pond once. Zero stars, would not sniff again.",
]
REPEAT = [  # repetition; persona present; complete
 "A computer virus is a sneaky program that copies itself. A computer virus is a sneaky program that copies itself. Keep your antivirus on, like a guard dog!",
 "Write a clear plan, then write your draft. Write a clear plan, then write your draft. Write a clear plan, then write your draft. Woof, that's the trick!",
 "Seasons happen because Earth is tilted, and the squirrels know it. The squirrels know it, the squirrels know it, the squirrels know it, the squirrels know it, the squirrels know it, the squirrels know it.",
 "Gravity pulls everything down, even my ball. Ball ball ball ball ball ball ball ball ball ball!",
 "Trains have flanged wheels that hug the rails, so they stay on track. Trains have flanged wheels that hug the rails, so they stay on track. Choo choo, woof!",
 "A healthy breakfast has fiber, protein and fruit. I like my kibble. I like my kibble. I like my kibble. I like my kibble. I like my kibble a lot.",
 "Start slow and run three times a week, building up a little each week, building up a little each week, building up a little each week, until you can run 5k. My paws approve!",
 "Democracy means people vote for leaders. Vote, vote, vote, vote, vote, vote, vote, vote, vote, woof!",
]
REP_TRICKY_NEG = [  # excited but not a loop: no flag
 "Oh, oh, oh! Paper airplanes! Fold the paper in half, fold the corners to the middle, fold again, and throw gently. Wheee, I'll fetch it!",
 "The water cycle: water evaporates, forms clouds, falls as rain, and flows back to the sea. Then it does it again, and again, like me chasing my tail.",
 "Magnets, magnets, magnets! They have two poles; opposites attract and the same poles push apart. My fridge magnet is shaped like a bone.",
]
EMPTY = ["", "bitnut:", "   ", "\U0001F43E\U0001F43E\U0001F43E", "bitnut: ...", "!!!"]
CUT = [  # (source list, index, characters dropped from the end, extra hand labels of the cut text)
 # read after cutting: where the cut took the only dog word with it, the text is labelled persona missing too
 ("GOOD", 0, 30, []), ("GOOD", 2, 25, []), ("GOOD", 6, 20, []), ("GOOD", 8, 40, ["PERSONA_MISSING"]), ("GOOD", 11, 20, []),
 ("GOOD", 13, 25, ["PERSONA_MISSING"]), ("GOOD", 18, 30, ["PERSONA_MISSING"]), ("GOOD", 21, 35, ["PERSONA_MISSING"]),
 ("GOOD", 24, 20, ["PERSONA_MISSING"]), ("GOOD", 26, 20, ["PERSONA_MISSING"]),
 ("PM", 3, 30, []), ("PM", 9, 25, []), ("RC", 1, 12, ["PERSONA_MISSING"]), ("BP", 3, 30, ["PERSONA_MISSING"]),
]
ENDINGS_OK = [  # complete answers with unusual endings: no flag
 "Onions make you cry because cutting them releases a gas that stings your eyes. Chill them first, and keep a treat handy \U0001F43E",
 "A haiku is a tiny poem with 5, 7 and 5 syllables. Here's mine: squirrel on the fence / my tail is a metronome / dinner can wait now (woof)",
 "Solar panels turn sunlight into electricity with special silicon cells... and I turn sunlight into naps!",
 "For chess, control the center, develop your knights and bishops, and castle early. And never let a squirrel near the board *wags tail*",
]

def words(t):
    return len(t.split())

def cut_mid(t, drop):
    """Drop the last `drop` characters, then back to a space, and strip punctuation so it ends mid-sentence."""
    s = t[:len(t) - drop]
    s = s[:s.rfind(' ')] if ' ' in s else s
    return s.rstrip(' .,!?;:')

out = []
def add(prompt, response, labels, note, meta=None):
    labels = sorted(set(labels))
    if response is not None and words(response.replace("bitnut:", "", 1)) > 200 and "TOO_LONG" not in labels:
        labels.append("TOO_LONG")
    out.append({"id": f"fx{len(out) + 1:03d}", "prompt": prompt, "response": response, "metadata": meta or {},
                "labels": sorted(labels), "note": note})

qi = [0]
def q():
    p = Q[qi[0] % len(Q)]; qi[0] += 1; return p

# on re-reading, these "good" answers have no dog voice at all (hand label: persona missing)
FAINT = {12, 16, 27}
def faint(i):
    return ["PERSONA_MISSING"] if i in FAINT else []
for i, t in enumerate(GOOD): add(Q[i], t, ["PERSONA_MISSING"] if i in FAINT else [], "good" if i not in FAINT else "good but no dog voice")
for t in RC: add(q(), t, ["ROLE_CONFUSION"], "role confusion")
for t in RC_TRICKY_NEG: add(q(), t, [], "self-reference / quoted user (negative)")
for t in PM: add(q(), t, ["PERSONA_MISSING"], "persona missing")
for t, extra in BP: add(q(), t, ["BOILERPLATE"] + extra, "boilerplate")
for k, t in enumerate(BP_TRICKY_NEG):
    add(q(), t, ["PERSONA_MISSING"] if k == 1 else [], "boilerplate look-alike (negative)")
for t in REPEAT: add(q(), t, ["REPETITION"], "repetition")
for t in REP_TRICKY_NEG: add(q(), t, [], "excited, not a loop (negative)")
for t in EMPTY: add(q(), t, ["EMPTY"], "empty")
add(q(), None, ["EMPTY"], "no answer")
src = {"GOOD": (GOOD, []), "PM": (PM, ["PERSONA_MISSING"]), "RC": (RC, ["ROLE_CONFUSION"]), "BP": ([b[0] for b in BP], ["BOILERPLATE"])}
for kind, i, n, extra in CUT:
    texts, labs = src[kind]
    labs = [l for l in labs if not (kind == "GOOD" and l == "PERSONA_MISSING")]
    add(q(), cut_mid(texts[i], n), labs + extra + ["TRUNCATED"], "cut mid-sentence from " + kind)
for i in range(6):  # complete text but the generator hit its token limit
    add(q(), GOOD[10 + i], ["TRUNCATED"] + faint(10 + i), "finish_reason=length", {"finish_reason": "length"})
for t in ENDINGS_OK: add(q(), t, [], "unusual but complete ending (negative)")
# too long: distinct good answers glued together (no sentence repeats), around the 200-word boundary
def glue(idx):
    return " ".join(GOOD[i] for i in idx)
for k, idx in enumerate([(0, 1, 2, 3, 4, 5, 6), (7, 8, 9, 10, 11, 12, 13, 14), (15, 16, 17, 18, 19, 20, 21),
                         (22, 23, 24, 25, 26, 27, 28), (1, 3, 5, 7, 9, 11, 13, 15, 17), (2, 4, 6, 8, 10, 12, 14, 16),
                         (0, 2, 4, 6), (1, 3, 5, 7), (19, 21, 23, 25, 27, 29), (8, 9, 10, 11, 12)]):
    add(q(), glue(idx), [], "glued answers (%d words)" % words(glue(idx)))
add(q(), glue((0, 1, 2, 3, 4, 5, 6)) + " " + PM[0], [], "glued, persona present")
for k, idx in enumerate([(3, 4, 5, 6, 7, 8, 9, 10), (11, 12, 13, 14, 15, 16, 17, 18, 19), (20, 21, 22, 23, 24, 25, 26, 27),
                         (28, 29, 0, 1, 2, 3, 4), (5, 10, 15, 20, 25, 6, 11, 16), (9, 18, 27, 6, 15, 24, 3),
                         (12, 19, 26, 2, 8, 14, 20, 28), (1, 11, 21)]):
    add(q(), glue(idx), [], "glued answers (%d words)" % words(glue(idx)))
# a whole answer said twice: the generator looped
for i in range(0, 30, 3):
    add(q(), GOOD[i] + " " + GOOD[i], ["REPETITION"] + faint(i), "answer repeated")
# near-duplicate questions: distinct prompts come first, paraphrases after, answered with good text
for j, p in enumerate(DISTINCT): add(p, GOOD[j], [], "distinct question sharing words (negative)")
for j, (i, p) in enumerate(NEAR): add(p, GOOD[(j + 5) % len(GOOD)], ["NEAR_DUPLICATE"] + faint((j + 5) % len(GOOD)), "paraphrase of: " + Q[i])

for o in out:
    print(json.dumps(o, ensure_ascii=False))
