package manifest

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"

	"filippo.io/age"
)

// Fixed keys, generated once with age and hard-coded so that the test
// vectors are reproducible. Nobody holds the secret halves.
var (
	testPQ = []string{
		"age1pq1cjuyt3l4c2gycudxsehk49w9tdntjkhptus2ytnzxjz2tw6azg2r2ept9gqn58r" +
			"hhz7zau4wmzkzzw548hzyfg6m6ez3rcyn3z44av9k3kryqkh9vhr7r44jlmj4n3vq9pktv" +
			"z92xvzye24jdxaynmfg9whgx9ggxavacpc8xx9pg4kewxfxzxvr7w3wtv2w5kncm2065vm" +
			"sker2sp73e396pecz8caqnyw7p2qf3ypz0fp64g55832pyu57tyunyqvm7s6zrn9rulscd" +
			"3fuwrsd6pmyk39a989vjt3fnsfmzu8x9wsh9fcnnz2raensz5mc085dnwsg95va0wqtp46" +
			"920myeq48q9q9452u7x9yszj288lasmhyqf9fp4cca2wxafgjeuwx4sjj777fgxaduqve2" +
			"24z2f6d2vx9ewl9n0yw89fzjhkqsyyetp99uy5chqaxvu9zweaeem4yjrnk32kqv9ze9gy" +
			"xfvrmktt6dgr9vwat929h0ys9myamy80jsg02agxdz7thernfggx4njk7h0u8cjt6r5j5w" +
			"yyqctagyla2nwyvgwjyps2ekuz9v9wqs3kf3ye4cym5pakv23989cs6p7pkjm3ymjdrzf2" +
			"6ekpqh0hkrx8f3w4xtgak52zcpez59zezdp3fg45jhpmncke5rzvxx0vkvw8ds7tf2xqum" +
			"jv3pafjg0ynxj4agxlxum8v9wrwnrxfqvu8k7tavfa2hvcg02mhs6w8mkfchflyy0098fz" +
			"50wjqh94vlg0rhaavsxdlyvsujkyv35jrc60rq0me3vv5l9ne2qkskx3n2gqg47spg2rzd" +
			"wgl6a4escesp2cj8arpqn6t7wd9fk7qvmsjvrjm32uf8z7gxt9sa4rlvzar39m5v8ss8xt" +
			"dyet8dg556a7ghjeedg0a32jp6glwrcmlznv2mv95c6fern2qujma0gt20usq950hyxzrp" +
			"sydq3624vjd7dw9jujgj4sv5ra5pgwa5w3706580098hz5mtxclsyaeyqylc5u4gpqj57g" +
			"2cw8dq77kx455g2gxhzgcf6dqtgkrkxcfuj6u6nrfslyyznwv2v0x7j7a65pjmfz6x9089" +
			"e9axw2vxzjnpyzzkx9um5ppd877jaj7u35pghq5uqqcztw650z9vzy3aj4kapqewcqc5dz" +
			"3c0zz2xx8enymk8za7c2u2yuh37dgvyfnlflnvdpqgl4xynjrythhgl77p2pj2kn28vzcm" +
			"vhjy892rfap66svxuvmfyn5z7geneajyedhpqh8rzfqllyh2gkk8a3wskcy3d6jhajtwtr" +
			"qzdyn8mzxpxpn2gv6a9ctwhvglqlhphfmysd2udm9raa7ewe5m3gce39v30dv23j7rjfy8" +
			"cefr8l94wpr2qpcejhdxday0m7gqw2sxadh0wxlgefx6xsnr946rx4szapgsrzrsqc6qgm" +
			"frqqkr4kmgrlzgm0t5a9m4w9n3yft6qlq0jc84swjfp575f453hshlk38hvf8n9ppdxpvc" +
			"x79eqvgjgky2n9mju8c6zltd22pg3kv2s73dnqnc65zzgj0wcnx7dn3mvas2pe0q7u8fyc" +
			"4efkwm55uvja2gfmjz4m3s2973k9u7k2rhw25yc79z9gfwdupfcr6lza3j9djffkdsp228" +
			"qd489mw0w9stacve35vjtmk7304kxfdhpg3vspckuzss9vxm9w594d5vqt5vpa54ef5rda" +
			"tj6nll2jfcv78fpmv2s9598576cv8av3593upewgzx6f4kwl7kup6vy6sgr5pf9jjx9dpy" +
			"pxuseklajuawc58fr644qf8cuc6qshfrxcaqekl0a36ksasdrv8d6ud697wwtl0pz83qfy" +
			"e9z725fcwzy7jy29az4xcjj7z25sdp5m67cflqpluuxyhhf0lmry6qehgz8fywg4pzkk7",
		"age1pq12gd34xaqgyxgqsn7qgat0z2fzwsx0mqs9cccwc6y5e42yerwh5yv5vc8dx0nyxh" +
			"2eplchlp650s6qevtjllx3yzl4s7yzv5wjndt4lmtek6stth4u8znhwv452f9k9s9988u3" +
			"vezlvuelptvszpu0ffzd572ep2jkg6jnzy9h7tm2nd4gwfrqxvvhdknq6vlkempmlje0zj" +
			"xc8u865y079dezvxtu909snay3t7enqwlk2n0atpewajgwvwczrqk4xx0t46ppdgt7h7sh" +
			"fx3jnvxx67dzv3p0ng5x2cm9art8rx952qejzzxwwgccqzak3wh9grz3txzck5rpdmqhq0" +
			"gtkvy5k7y6g88n0pf8uzcf6099q6e0nncxd3vupvjmq26zd9g4ujpv70jpfu0lun7g64fw" +
			"uauvh86n28g69gstfmnsw2ext9fx3rjnrnemv72csgtx29za5u588juquzaxetjfwj6azy" +
			"g3hlfcfjycvcpu6z2me95cagh7cm5k4fspqyudf9rmw97trm47fkf2e68xa7n4q2l4f6um" +
			"0960sfpstarejslj2j8jgj2lcvygulpr8mywxc4qvjgavnc6jtp7ectzm6mgp4tnwt9jj5" +
			"yjgt5s5l6kh5vxxjq8wy9kvsrvh2zd7dpt3mc58yvum9h97ujgv9v5a5r4w2cxetq3f3um" +
			"vdunyvg9jzfq324rpsfdx4mxzk888uejyskszq8squx322lvpunf8x9su23ws2kscvl4nq" +
			"v6aujv5cgzgh8k6rrpt7d59jumzmmu0eskkrzqxr9dttrqyfe2665t42pj2mjqz5qsvdxu" +
			"9q6895n5v6y0g42dejgx90z6u92hzc8w3nvzjr89wrc0tz0ydu35wm52z3vquey4jkyje3" +
			"8spngqug82hsy9422sz9es20r2xx7gsp5h553tvagf9pc0sspepwat5fgxlep5zr2wulds" +
			"8pugev3v9xz7295npezruqtygtr9fpamcm9z0y3n3tyxcsa557yze9ff5w9fjn9gevucf7" +
			"yjccs5g6pa6gwyjjrx73n8wdlk6nrvd8ayfur46cpy5dzqwuyvr6xqceyu2wwvhgs74jkv" +
			"9gu92h9y9dw3ykz69cyejsvwweakh7n3vqqmlps7nygwt2yq9mhv34kqftnnvugxzeepcm" +
			"xexrh4p73pw3lgzddpjs3kn6r8q6gxexkg7llkqyyzhn8xfhg2lvqvgp5q7ckvq44rhzfx" +
			"y2rnl03ys4tm08dfvg9a0dxj9whsuy0zapr5299rkxf2fcuyr3skha6r35gegkq3zdqd8v" +
			"5yfh5k6h22klsafccvm9495nxyt92v4vlrq5wuq8tvpvqe4gykvn388d6krnjlzjjp9wpg" +
			"ynj5xuf4wpp5m82qe5dptqaft6tax8mg6cmqaz77c3h5g3dnpmyalep0rp84s7x5dqj3a5" +
			"38myu2kkcssskzppq3qxvz6r43fnndef8xx7c583rtyz2rgctllf4cj7u28ynwnjhvc4dj" +
			"7zen7r2fa6jq3xqxw7h4v7fhtpsv4mqwxd5vx2lkgn6cvjaju2rz2sxptz8d9gzvznt6au" +
			"jdk2n78pt8f45septw7fdmxyxc3y2q99zaucrd5vwxsdejhqqz9ygj33gp7j6zsgzhdhlu" +
			"2ucwrprvgprcc8tkapw3j9ts6ky4yv226ufrtf905dvtxs8qwnj7vr2gqv9vfs8tkq80t3" +
			"59zca26zq30suqgm3pgsaquzsx3jn3kgjyxjflqhqtdrnstz96vvnh993r8gtuz5gqaukq" +
			"srddduxzgvvr3993kth5kttyghapghvahuslc7dyu24tekeu59j4vk27ce33tfaavt03gd" +
			"h2tj5qt4m37rhcs3pc7u8pche47ga752nm5v45un94svzf9n4kpqh8xrg34w8rqafwpz5",
	}
	testX25519 = []string{
		"age1nxqcr85ym2lxatk5ywymx8g3lc9r43ltu3xhcz94he056nyafurs56jrh5",
		"age1mhhd6srhqpn5gkeal3pwnl8tq3h4v0e3pu7xwnzgqmzajnysuasq8ldd8h",
	}
	// testAgeSecret is a throwaway age identity, for the refusal tests.
	testAgeSecret = "AGE-SECRET-KEY-1QRKWS45JMPMGU043MU45W82VJVVD2Y9APLKTGV2JSRAPQ5A68VNQQL4Z2G"
)

// testSeed is the admin key of the test vectors: bytes 0x01 to 0x20.
func testSeed() []byte {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = byte(i + 1)
	}
	return s
}

// otherSeed is a second admin key: bytes 0x20 down to 0x01.
func otherSeed() []byte {
	s := testSeed()
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

func testKey() *SecretKey  { return newSecretKey(testSeed()) }
func otherKey() *SecretKey { return newSecretKey(otherSeed()) }

// epoch1 and epoch2 are the chained manifests of the test vectors.
func epoch1() *Manifest {
	return &Manifest{
		Hub: "it", Epoch: 1, Issued: "2026-11-01",
		Recipients: []Recipient{
			{Key: testPQ[0], Role: RoleResponder, Label: "Sportello legale – Roma"},
		},
	}
}

func epoch2(prev []byte) *Manifest {
	return &Manifest{
		Hub: "it", Epoch: 2, Issued: "2026-11-23", Previous: Hash(prev),
		Recipients: []Recipient{
			{Key: testPQ[0], Role: RoleResponder, Label: "Legal desk"},
			{Key: testPQ[1], Role: RoleAdmin, Label: "Maria Rossi 🔒"},
		},
	}
}

func mustMarshal(tb testing.TB, m *Manifest) []byte {
	tb.Helper()
	b, err := m.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustSign(tb testing.TB, sk *SecretKey, b []byte) *Signed {
	tb.Helper()
	s, err := Sign(sk, b)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// rawSign signs without parsing, to build signed malformed manifests.
func rawSign(sk *SecretKey, b []byte) *Signed {
	return &Signed{Manifest: b, Signature: ed25519.Sign(sk.k, b)}
}

// chain returns the signed epoch 1 and epoch 2 manifests.
func chain(tb testing.TB) (*Signed, *Signed) {
	tb.Helper()
	s1 := mustSign(tb, testKey(), mustMarshal(tb, epoch1()))
	s2 := mustSign(tb, testKey(), mustMarshal(tb, epoch2(s1.Manifest)))
	return s1, s2
}

// classicManifest returns a valid manifest text with n fresh X25519
// recipients.
func classicManifest(tb testing.TB, n int) []byte {
	tb.Helper()
	var b bytes.Buffer
	b.WriteString("difesa-manifest/v1\nhub: it\nepoch: 1\nissued: 2026-11-01\nprevious: none\n")
	for i := range n {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&b, "recipient: %s responder Person %d\n", id.Recipient(), i+1)
	}
	return b.Bytes()
}

// replaceLine returns b with its line n (1-based) replaced by line.
func replaceLine(b []byte, n int, line string) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	lines[n-1] = line + "\n"
	return []byte(strings.Join(lines, ""))
}
