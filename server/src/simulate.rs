//! `zhizhi simulate`: the demo district's devices sending realistic traffic to a running
//! Zhizhi, over HTTP or MQTT, and the staged stories of the article (an elderly resident not
//! out for 25 hours, a smoke alarm on floor 3, a crowd of 80 at the old-town gate, a rising
//! river).

use crate::cli::SimulateArgs;
use anyhow::{anyhow, bail, Context as _};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use zhizhi_shared::demo::District;
use zhizhi_shared::device::{Device, DeviceKind};
use zhizhi_shared::iot::HOUR;
use zhizhi_shared::people::CareTag;

pub use crate::http_client::HttpClient;

/// A message for a device, as the simulator sends it.
pub fn message(device: &str, msg_id: String, ts: i64, kind: &str, payload: Value) -> Value {
    json!({ "device_id": device, "msg_id": msg_id, "ts": ts, "kind": kind, "payload": payload })
}

/// The stories the simulator can stage.
pub const STORIES: [&str; 4] = ["elderly", "smoke", "crowd", "river"];

/// The door sensor of the elderly-alone story: the last one on the home of a resident in care.
pub fn care_sensor(d: &District) -> Option<&Device> {
    let in_care = |r: i64| d.residents.iter().any(|x| x.id == r && x.care_tags.contains(&CareTag::ElderlyAlone));
    d.devices.iter().rev().find(|x| x.kind == DeviceKind::DoorSensor && x.resident_id.is_some_and(in_care))
}

/// The messages of a staged story at `now`; `run` makes the message ids unique per run.
pub fn story(d: &District, name: &str, run: &str, now: i64) -> anyhow::Result<Vec<Value>> {
    let first = |kind: DeviceKind, f: &dyn Fn(&Device) -> bool| d.devices.iter().find(|x| x.kind == kind && f(x)).ok_or_else(|| anyhow!("no {kind:?} for the story"));
    let id = |i: usize| format!("{run}-{name}-{i}");
    Ok(match name {
        // The door last opened 25 hours ago; the sensor kept sending its hourly heartbeat.
        "elderly" => {
            let s = care_sensor(d).ok_or_else(|| anyhow!("the demo has no door sensor of a resident in care"))?;
            let mut v = vec![message(&s.code, id(0), now - 25 * HOUR, "door", json!({ "open": true, "battery": 76 }))];
            for h in (0..=25).rev() {
                v.push(message(&s.code, id(26 - h as usize), now - h * HOUR, "heartbeat", json!({ "battery": 76 })));
            }
            v
        }
        // A smoke detector on floor 3: smoke, and the heat rising.
        "smoke" => {
            let s = first(DeviceKind::SmokeDetector, &|x| x.floor == Some(3))?;
            vec![
                message(&s.code, id(0), now - 20_000, "temperature", json!({ "celsius": 48.5, "battery": 90 })),
                message(&s.code, id(1), now, "smoke", json!({ "alarm": true, "battery": 90 })),
            ]
        }
        // 80 people at the old-town gate, seen by the first camera.
        "crowd" => {
            let c = first(DeviceKind::Camera, &|_| true)?;
            vec![message(&c.code, id(0), now, "ai_event", json!({ "event": "crowd", "confidence": 0.93, "count": 80 }))]
        }
        // The Jialing at 磁器口 rising through the warning level (180.5 m) over six hours, faster
        // towards the end: a reading every 5 minutes from 178.60 m to 180.70 m.
        "river" => {
            let g = first(DeviceKind::WaterLevelGauge, &|_| true)?;
            (0..=72)
                .map(|i| {
                    let m = 178.6 + 2.1 * (i as f64 / 72.0).powf(1.5);
                    message(&g.code, id(i), now - (72 - i as i64) * 300_000, "water_level", json!({ "metres": (m * 100.0).round() / 100.0 }))
                })
                .collect()
        }
        other => bail!("没有剧本「{other}」（可选：{}）", STORIES.join("、")),
    })
}

/// A small deterministic random number generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One message of everyday traffic for a random device: heartbeats, doors opening through the
/// day, temperatures, the river, small crowds (below the alarm threshold).
/// `keep` names the devices of the stories: they only send heartbeats, so that everyday
/// readings do not undo what a story staged.
fn everyday(d: &District, rng: &mut Rng, keep: &[String], msg_id: String, now: i64) -> Value {
    let dev = &d.devices[rng.below(d.devices.len() as u64) as usize];
    let battery = 60 + (dev.id % 40);
    let roll = rng.below(100);
    let staged = keep.contains(&dev.code);
    let (kind, payload) = match dev.kind {
        _ if staged => ("heartbeat", json!({ "battery": battery })),
        DeviceKind::DoorSensor if roll < 40 => ("door", json!({ "open": roll < 20, "battery": battery })),
        DeviceKind::SmokeDetector if roll < 30 => ("temperature", json!({ "celsius": 18.0 + rng.below(120) as f64 / 10.0, "battery": battery })),
        DeviceKind::WaterLevelGauge => ("water_level", json!({ "metres": 176.0 + rng.below(150) as f64 / 100.0 })),
        DeviceKind::Camera if roll < 20 => ("ai_event", json!({ "event": "crowd", "confidence": 0.7 + rng.below(25) as f64 / 100.0, "count": 5 + rng.below(35) })),
        _ => ("heartbeat", json!({ "battery": battery })),
    };
    message(&dev.code, msg_id, now, kind, payload)
}

/// Where messages go.
enum Out {
    Http { client: HttpClient },
    Mqtt { client: rumqttc::AsyncClient, street: String },
}

impl Out {
    async fn send(&mut self, batch: Vec<Value>) -> anyhow::Result<(usize, usize)> {
        match self {
            Out::Http { client } => loop {
                let (status, headers, body) = client.request("POST", "/api/v1/ingest", &Value::Array(batch.clone()).to_string()).await?;
                match status {
                    200 => {
                        let v: Value = serde_json::from_str(&body)?;
                        let refused = v["refused"].as_u64().unwrap_or(0) as usize;
                        if refused > 0 {
                            tracing::warn!(refused, answer = %body.chars().take(400).collect::<String>(), "messages refused");
                        }
                        return Ok((batch.len() - refused, refused));
                    }
                    429 | 503 => {
                        let secs: u64 = headers.get("retry-after").and_then(|s| s.parse().ok()).unwrap_or(1);
                        tokio::time::sleep(Duration::from_secs(secs)).await;
                    }
                    s => bail!("ingest answered {s}: {body}"),
                }
            },
            Out::Mqtt { client, street } => {
                let n = batch.len();
                for m in batch {
                    let topic = format!("zhizhi/{street}/{}/up", m["device_id"].as_str().unwrap_or(""));
                    client.publish(topic, rumqttc::QoS::AtLeastOnce, false, m.to_string()).await?;
                }
                Ok((n, 0))
            }
        }
    }
}

/// Signs in and creates a token with the `ingest` scope.
async fn ingest_token(addr: &str, user: &str, password: &str) -> anyhow::Result<String> {
    let mut c = HttpClient::connect(addr, "").await.with_context(|| format!("cannot reach Zhizhi at {addr}"))?;
    let (status, headers, body) = c.request("POST", "/api/v1/login", &json!({ "username": user, "password": password }).to_string()).await?;
    if status != 200 {
        bail!("login as {user} failed ({status}): {body}");
    }
    let cookie = headers.get("set-cookie").and_then(|c| c.split(';').next()).ok_or_else(|| anyhow!("no session cookie"))?.to_string();
    let mut c = HttpClient::connect(addr, &format!("Cookie: {cookie}\r\n")).await?;
    let (status, _, body) = c.request("POST", "/api/v1/tokens", &json!({ "name": "simulator", "scopes": ["ingest"] }).to_string()).await?;
    if status != 200 && status != 201 {
        bail!("cannot create an ingest token ({status}): {body}; the user must be an administrator");
    }
    let v: Value = serde_json::from_str(&body)?;
    Ok(v["token"].as_str().ok_or_else(|| anyhow!("no token in {body}"))?.to_string())
}

/// Runs the simulator.
pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let district = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
    let addr = args.url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let run_id = format!("sim{}", crate::auth::now_ms());
    let mut out = if args.via == "mqtt" {
        let broker: crate::ingest::mqtt::BrokerUrl = args.mqtt_url.parse().map_err(|e: String| anyhow!(e))?;
        let mut o = rumqttc::MqttOptions::new(format!("zhizhi-sim-{}", std::process::id()), broker.host, broker.port);
        o.set_keep_alive(Duration::from_secs(30));
        if let Some((u, p)) = broker.credentials {
            o.set_credentials(u, p);
        }
        let (client, mut events) = rumqttc::AsyncClient::new(o, 1024);
        tokio::spawn(async move {
            loop {
                if let Err(e) = events.poll().await {
                    tracing::warn!(error = %e, "MQTT connection lost");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
        Out::Mqtt { client, street: "ciqikou".into() }
    } else {
        let token = match &args.token {
            Some(t) => t.clone(),
            None => ingest_token(&addr, &args.user, &args.password).await?,
        };
        Out::Http { client: HttpClient::connect(&addr, &format!("Authorization: Bearer {token}\r\n")).await.with_context(|| format!("cannot reach Zhizhi at {addr}"))? }
    };
    let now = crate::auth::now_ms();
    let stories: Vec<&str> = match args.story.as_deref() {
        None | Some("") | Some("none") => vec![],
        Some("all") => STORIES.to_vec(),
        Some(s) => s.split(',').map(str::trim).collect(),
    };
    for s in &stories {
        let msgs = story(&district, s, &run_id, now)?;
        let (ok, refused) = out.send(msgs).await?;
        println!("剧本「{s}」：已发送 {ok} 条消息{}", if refused > 0 { format!("，{refused} 条被拒") } else { String::new() });
    }
    if args.rate == 0 {
        if matches!(out, Out::Mqtt { .. }) {
            tokio::time::sleep(Duration::from_secs(1)).await; // let the QoS 1 publishes leave
        }
        return Ok(());
    }
    // The devices the stories use keep what they staged.
    let keep: Vec<String> = STORIES.iter().flat_map(|s| story(&district, s, "k", now).unwrap_or_default()).filter_map(|m| m["device_id"].as_str().map(String::from)).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (start, mut sent, mut refused, mut seq) = (Instant::now(), 0usize, 0usize, 0u64);
    let tick = Duration::from_millis(100);
    let per_tick = (args.rate as f64 / 10.0).max(1.0);
    let mut owed = 0.0;
    let mut last_report = Instant::now();
    println!("模拟流量：{} 条/秒，经 {}（Ctrl-C 停止）", args.rate, args.via);
    loop {
        if args.duration > 0 && start.elapsed() >= Duration::from_secs(args.duration) {
            break;
        }
        owed += per_tick;
        let n = owed as usize;
        owed -= n as f64;
        let now = crate::auth::now_ms();
        let mut batch = Vec::with_capacity(n);
        for _ in 0..n {
            seq += 1;
            batch.push(everyday(&district, &mut rng, &keep, format!("{run_id}-{seq}"), now));
        }
        let t = Instant::now();
        for chunk in batch.chunks(args.batch.max(1)) {
            let (a, r) = out.send(chunk.to_vec()).await?;
            sent += a;
            refused += r;
        }
        if last_report.elapsed() >= Duration::from_secs(5) {
            println!("已发送 {sent} 条（{:.0} 条/秒），被拒 {refused} 条", sent as f64 / start.elapsed().as_secs_f64());
            last_report = Instant::now();
        }
        tokio::time::sleep(tick.saturating_sub(t.elapsed())).await;
    }
    println!("共发送 {sent} 条，被拒 {refused} 条，用时 {:.1} 秒", start.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_story_uses_real_demo_devices_and_unique_ids() {
        let d = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
        let now = 1_790_000_000_000;
        for s in STORIES {
            let msgs = story(&d, s, "t", now).unwrap();
            assert!(!msgs.is_empty(), "{s}");
            let mut ids: Vec<&str> = msgs.iter().map(|m| m["msg_id"].as_str().unwrap()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), msgs.len(), "{s}: ids repeat");
            for m in &msgs {
                let dev = d.devices.iter().find(|x| x.code == m["device_id"].as_str().unwrap()).expect("a demo device");
                zhizhi_shared::iot::parse(dev.kind, m["kind"].as_str().unwrap(), &m["payload"]).unwrap();
            }
        }
        let elderly = story(&d, "elderly", "t", now).unwrap();
        assert_eq!(elderly[0]["ts"].as_i64().unwrap(), now - 25 * HOUR, "the door last opened 25 h ago");
        assert!(story(&d, "flood", "t", now).unwrap_err().to_string().contains("没有剧本"));
    }

    #[test]
    fn everyday_traffic_is_valid_for_every_device() {
        let d = zhizhi_shared::demo::generate(zhizhi_shared::demo::DEFAULT_SEED);
        let mut rng = Rng(7);
        for i in 0..2000 {
            let m = everyday(&d, &mut rng, &[], format!("x{i}"), 1_790_000_000_000);
            let dev = d.devices.iter().find(|x| x.code == m["device_id"].as_str().unwrap()).unwrap();
            zhizhi_shared::iot::parse(dev.kind, m["kind"].as_str().unwrap(), &m["payload"]).unwrap();
        }
    }
}
