//! MQTT ingest: subscribes to `zhizhi/<street>/<device_id>/up` on a broker with QoS 1 and a
//! persistent session, and acknowledges each message only after ingest stored it (or refused
//! it for good), so that the broker redelivers anything a crash lost. Refusals are published
//! back to the device on `zhizhi/<street>/<device_id>/err`.

use super::{Busy, Ingest, Sender};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use std::sync::Arc;
use std::time::Duration;

/// The topics devices publish to.
pub const TOPIC: &str = "zhizhi/+/+/up";

/// Where a broker is: `mqtt://[user:password@]host[:port]`.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokerUrl {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
}

impl std::str::FromStr for BrokerUrl {
    type Err = String;
    fn from_str(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("mqtt://").ok_or_else(|| format!("MQTT 地址应以 mqtt:// 开头：{url}"))?;
        let rest = rest.trim_end_matches('/');
        let (credentials, hostport) = match rest.rsplit_once('@') {
            Some((cred, hp)) => {
                let (u, p) = cred.split_once(':').unwrap_or((cred, ""));
                (Some((u.to_string(), p.to_string())), hp)
            }
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| format!("MQTT 端口无效：{p}"))?),
            None => (hostport, 1883),
        };
        if host.is_empty() {
            return Err(format!("MQTT 地址缺少主机名：{url}"));
        }
        Ok(BrokerUrl { host: host.into(), port, credentials })
    }
}

/// The device a topic names, if it is an uplink topic.
pub fn topic_device(topic: &str) -> Option<&str> {
    match topic.split('/').collect::<Vec<_>>()[..] {
        ["zhizhi", street, device, "up"] if !street.is_empty() && !device.is_empty() => Some(device),
        _ => None,
    }
}

/// Subscribes and ingests until the process ends, reconnecting when the broker goes away.
/// Among several server copies, only the one running the ingest engine is connected, with the
/// same client id, so the broker's persistent session (and the messages it kept while nobody
/// was connected) passes to the copy that takes over.
pub async fn run(ingest: Arc<Ingest>, broker: BrokerUrl, client_id: String) {
    let mut leading = ingest.leadership();
    loop {
        if leading.wait_for(|l| *l).await.is_err() {
            return;
        }
        session(&ingest, &broker, &client_id, &mut leading).await;
        tracing::info!("MQTT disconnected: this copy no longer runs the ingest engine");
    }
}

/// One connection, for as long as this copy runs the engine.
async fn session(ingest: &Arc<Ingest>, broker: &BrokerUrl, client_id: &str, leading: &mut tokio::sync::watch::Receiver<bool>) {
    let mut options = MqttOptions::new(client_id.to_string(), broker.host.clone(), broker.port);
    options.set_keep_alive(Duration::from_secs(30)).set_clean_session(false).set_manual_acks(true);
    options.set_max_packet_size(4 * 1024 * 1024, 64 * 1024);
    if let Some((u, p)) = &broker.credentials {
        options.set_credentials(u, p);
    }
    let (client, mut events) = AsyncClient::new(options, 256);
    // Handle several messages at once; the broker limits how many it sends unacknowledged.
    let inflight = Arc::new(tokio::sync::Semaphore::new(64));
    loop {
        // Polling stops (the connection dropped) only when this copy stops running the engine.
        let event = tokio::select! {
            event = events.poll() => event,
            _ = leading.wait_for(|l| !*l) => return,
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!(host = %broker.host, port = broker.port, "MQTT connected; subscribing to {TOPIC}");
                if let Err(e) = client.subscribe(TOPIC, QoS::AtLeastOnce).await {
                    tracing::error!(error = %e, "cannot subscribe");
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let Ok(permit) = inflight.clone().acquire_owned().await else { return };
                let (ingest, client) = (ingest.clone(), client.clone());
                tokio::spawn(async move {
                    handle(&ingest, &client, &p).await;
                    if let Err(e) = client.ack(&p).await {
                        tracing::warn!(error = %e, "cannot acknowledge an MQTT message");
                    }
                    drop(permit);
                });
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "MQTT connection lost; reconnecting in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Stores one MQTT message (a message object or an array of them), retrying while ingest is
/// busy: it returns only once the messages are stored or refused for good.
async fn handle(ingest: &Ingest, client: &AsyncClient, p: &Publish) {
    let Some(device) = topic_device(&p.topic) else {
        tracing::warn!(topic = %p.topic, "message on an unexpected topic ignored");
        return;
    };
    let err_topic = format!("{}/err", p.topic.trim_end_matches("/up"));
    let refuse = |why: String| async move {
        let body = serde_json::json!({ "error": why }).to_string();
        let _ = client.publish(err_topic, QoS::AtMostOnce, false, body).await;
    };
    let batch = match serde_json::from_slice::<serde_json::Value>(&p.payload) {
        Ok(serde_json::Value::Array(a)) => a,
        Ok(v @ serde_json::Value::Object(_)) => vec![v],
        Ok(_) => return refuse("消息应为 JSON 对象或数组".into()).await,
        Err(e) => return refuse(format!("消息不是 JSON：{e}")).await,
    };
    // The topic names the device: a message may leave out its device_id.
    let batch = batch
        .into_iter()
        .map(|mut v| {
            if let Some(o) = v.as_object_mut()
                && !o.contains_key("device_id")
            {
                o.insert("device_id".into(), device.into());
            }
            v
        })
        .collect::<Vec<_>>();
    let from = Sender::Device(device.to_string());
    let mut wait = Duration::from_millis(100);
    loop {
        match ingest.submit(&from, batch.clone()).await {
            Ok(outcomes) => {
                let refused: Vec<String> = outcomes.into_iter().filter_map(|o| o.error.map(|e| format!("{}: {e}", o.msg_id.unwrap_or_default()))).collect();
                if !refused.is_empty() {
                    tracing::warn!(device, refused = ?refused, "MQTT messages refused");
                    refuse(refused.join("；")).await;
                }
                return;
            }
            Err(Busy::Stopped) => return,
            Err(e) => {
                tracing::warn!(device, error = %e, "ingest busy; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_and_topics() {
        let b: BrokerUrl = "mqtt://127.0.0.1:1883".parse().unwrap();
        assert_eq!((b.host.as_str(), b.port, b.credentials), ("127.0.0.1", 1883, None));
        let b: BrokerUrl = "mqtt://zz:secret@broker".parse().unwrap();
        assert_eq!((b.port, b.credentials), (1883, Some(("zz".into(), "secret".into()))));
        assert!("http://broker".parse::<BrokerUrl>().unwrap_err().contains("mqtt://"));
        assert!("mqtt://broker:x".parse::<BrokerUrl>().unwrap_err().contains("端口"));
        assert_eq!(topic_device("zhizhi/ciqikou/MC-000001/up"), Some("MC-000001"));
        assert_eq!(topic_device("zhizhi/ciqikou/MC-000001/err"), None);
        assert_eq!(topic_device("other/ciqikou/MC-000001/up"), None);
    }
}
