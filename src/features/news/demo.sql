-- The demo's news: its categories and posts about the consultation
-- (see demo/shanghai-2012.sql).

INSERT INTO category (id, slug, name) VALUES
  (1, 'featured', 'Featured'),
  (2, 'unaoc-event', 'UNAOC Event');

INSERT INTO post (id, slug, title, summary, body_md, status, published_at, is_featured,
                  image, image_alt, image_credit, event_id, created_at, updated_at) VALUES
  (1, 'harmony-through-diversity-and-dialogue', 'Harmony Through Diversity and Dialogue',
   'The United Nations Alliance of Civilizations is convening Regional Consultations for Asia-South Pacific in cooperation with UN Association of China in Shanghai on 29-30 November 2012.',
   'The United Nations Alliance of Civilizations is convening Regional Consultations for Asia-South Pacific in cooperation with UN Association of China in Shanghai on 29-30 November 2012. These consultations build on an earlier symposium in Auckland, New Zealand in May 2007 that focused for the first time on the relevance of the Alliance to the Asia-Pacific region. The consultations are also part of an effort by the Alliance to root its work in a regional framework and launch joint actions to tackle shared challenges in the field of intercultural dialogue, understanding, and trust.

In spite of increased levels of exchange and communication, there is still a great deal of ignorance about the Asia-Pacific region in the West and vice-versa. Meaningful debates around the challenges of living together in diversity can help the region build more inclusive and tolerant societies. The Alliance has a role to play in facilitating such a conversation.

Five years since its launch, as the Alliance expands in different parts of the world, the **Shanghai Consultations** aim at making the Alliance more active in the Asia-Pacific region. As a results-oriented initiative, the Alliance can contribute to addressing the challenges faced by countries in the region, encourage common actions, and advance cooperation on topics of common concern toward improving cross-cultural understanding and trust across communities.

On the other hand, as it is highly diverse and home to many cultures and faiths, the Asia-South Pacific region will also help enlarge and deepen the scope of the Alliance.

The sessions during the consultation will look at how society, politics, culture and values in Asia and south Pacific are being affected by the recent economic development of the region and what role the Alliance can play in a renewed regional cooperation to achieve “Harmony through Diversity and Dialogue”, the title of the meeting.

The **Shanghai consultations** will bring together 150 participants from the region representing governments, academia, corporations, NGOs and cultural organizations. This UNAOC and UN Association of China joint event is organized in partnership with Fudan University, the Shanghai Academy of Social Sciences, the Centre for Dialogue at La Trobe University (Australia), and the International Movement for a Just World (Malaysia).

For more information, please contact Mr. Jean-Christophe Bas, Senior Advisor, Strategic Development and Partnerships, at the Secretariat of the United Nations Alliance of Civilizations (basj@un.org).',
   'published', '2012-11-12T12:00:00Z', 1, NULL, NULL, NULL, 2,
   strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'));

INSERT INTO post_category (post_id, category_id) VALUES (1, 1), (1, 2);
