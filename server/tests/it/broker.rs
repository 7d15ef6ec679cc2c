//! A device is trusted only as itself: against a real Mosquitto with the dynamic-security
//! plugin (a broker of the test's own), Zhizhi registers each device when its secret is issued;
//! an unknown client and a wrong secret are refused, a device publishing on another's topic is
//! not heard, and a retired device cannot connect.

use crate::client::App;
use axum::http::StatusCode;
use rumqttc::{AsyncClient, ConnectionError, Event, EventLoop, MqttOptions, Packet, QoS};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zhizhi_shared::device::DeviceKind;

struct Broker {
    child: Child,
    dir: std::path::PathBuf,
    port: u16,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Mosquitto on a port of its own, anonymous clients refused, the dynamic-security plugin
/// administered by `admin`.
fn start_broker() -> Broker {
    let dir = std::env::temp_dir().join(format!("zhizhi_mqtt_{}_{}", std::process::id(), zhizhi_server::auth::now_ms()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dynsec = dir.join("dynsec.json");
    let init = Command::new("mosquitto_ctrl").args(["dynsec", "init", dynsec.to_str().unwrap(), "admin", "admin-pass"]).stdout(Stdio::null()).status();
    assert!(init.is_ok_and(|s| s.success()), "mosquitto_ctrl dynsec init");
    let plugin = ["/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so", "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so", "/usr/lib/mosquitto_dynamic_security.so"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("Mosquitto's dynamic-security plugin");
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let conf = format!(
        "listener {port} 127.0.0.1\nallow_anonymous false\nplugin {plugin}\nplugin_opt_config_file {}\npersistence false\n{}",
        dynsec.display(),
        if root { "user root\n" } else { "" }
    );
    std::fs::write(dir.join("mosquitto.conf"), conf).unwrap();
    let child = Command::new("mosquitto").args(["-c", dir.join("mosquitto.conf").to_str().unwrap()]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("mosquitto");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(10), "mosquitto did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Broker { child, dir, port }
}

/// Connects as `user`: the client once the broker accepted it, or why it refused.
async fn connect(port: u16, user: Option<(&str, &str)>) -> Result<(AsyncClient, EventLoop), ConnectionError> {
    let mut o = MqttOptions::new(format!("device-{}-{}", user.map_or("anon", |u| u.0), zhizhi_server::auth::now_ms()), "127.0.0.1", port);
    o.set_keep_alive(Duration::from_secs(10));
    if let Some((u, p)) = user {
        o.set_credentials(u, p);
    }
    let (client, mut events) = AsyncClient::new(o, 16);
    loop {
        match tokio::time::timeout(Duration::from_secs(10), events.poll()).await.expect("the broker answers") {
            Ok(Event::Incoming(Packet::ConnAck(_))) => return Ok((client, events)),
            Ok(_) => {}
            Err(e) => return Err(e),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_broker_trusts_a_device_only_as_itself() {
    let broker = start_broker();
    let app = App::new().await;
    let url: zhizhi_server::ingest::mqtt::BrokerUrl = format!("mqtt://admin:admin-pass@127.0.0.1:{}", broker.port).parse().unwrap();
    let admin = zhizhi_server::ingest::broker::BrokerAdmin::start(&url).unwrap();
    let ingest_client = admin.prepare().await.expect("Zhizhi administers the broker");
    app.ingest_handle.set_broker(admin);
    let ingest_url = zhizhi_server::ingest::mqtt::BrokerUrl { credentials: Some(ingest_client), ..url };
    tokio::spawn(zhizhi_server::ingest::mqtt::run(app.ingest_handle.clone(), ingest_url, format!("zhizhi-ingest-{}", std::process::id())));

    let smoke: Vec<_> = app.devices().await.into_iter().filter(|d| d.kind == DeviceKind::SmokeDetector).take(2).collect();
    let (a, b) = (&smoke[0], &smoke[1]);
    let administrator = app.login("guanliyuan").await;
    let mut secrets = Vec::new();
    for d in [a, b] {
        let r = app.post(&format!("/api/v1/devices/{}/secret", d.id), Some(&administrator), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        secrets.push(r.body["secret"].as_str().unwrap().to_string());
    }

    // Nobody else gets in: no name, a wrong secret, another device's secret.
    assert!(connect(broker.port, None).await.is_err(), "an anonymous client");
    assert!(connect(broker.port, Some((&a.code, "not-the-secret"))).await.is_err(), "a wrong secret");
    assert!(connect(broker.port, Some((&a.code, &secrets[1]))).await.is_err(), "another device's secret");

    // Device A raises a smoke alarm on B's topic, then sends a heartbeat on its own: only its
    // own message is heard.
    let (device, mut events) = connect(broker.port, Some((&a.code, &secrets[0]))).await.expect("the device with its own secret");
    tokio::spawn(async move { while events.poll().await.is_ok() {} });
    let ts = zhizhi_server::auth::now_ms();
    let forged = json!({ "msg_id": "forged", "ts": ts, "kind": "smoke", "payload": { "alarm": true } }).to_string();
    device.publish(format!("zhizhi/ciqikou/{}/up", b.code), QoS::AtLeastOnce, false, forged).await.unwrap();
    let own = json!({ "msg_id": "own", "ts": ts, "kind": "heartbeat", "payload": {} }).to_string();
    device.publish(format!("zhizhi/ciqikou/{}/up", a.code), QoS::AtLeastOnce, false, own).await.unwrap();
    let start = Instant::now();
    while !app.db.store.has_message(a.id, "own").await.unwrap() {
        assert!(start.elapsed() < Duration::from_secs(20), "the device's own message was not stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!app.db.store.has_message(b.id, "forged").await.unwrap(), "a message on another device's topic is not heard");

    // Retired, the device cannot connect any more.
    let r = app.post(&format!("/api/v1/devices/{}/retired", a.id), Some(&administrator), json!({ "retired": true })).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(connect(broker.port, Some((&a.code, &secrets[0]))).await.is_err(), "a retired device");
    app.db.remove().await;
}
