// Trains HF tokenizers' BPE on files with the binding's only trainer: BpeTrainer defaults
// (vocab 30000, min_frequency 0, no specials, no initial alphabet), ByteLevel pre-tokenizer
// without prefix space, one sequence per line (train(files)). Usage: node hf_train.js OUT.json FILE...
const { Tokenizer, BPE, byteLevelPreTokenizer } = require("tokenizers");
const [out, ...files] = process.argv.slice(2);
const tok = new Tokenizer(BPE.empty());
tok.setPreTokenizer(byteLevelPreTokenizer(false, true));
const t0 = process.hrtime.bigint();
tok.train(files);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
tok.save(out, true);
console.log(`hf: vocab ${tok.getVocabSize()} trained in ${secs.toFixed(2)} s`);
